package lab

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/haguide/haguide/internal/sshtest"
)

func newHostKey(t *testing.T) ssh.PublicKey {
	t.Helper()
	s, _ := sshtest.NewSigner(t)
	return s.PublicKey()
}

// hashed is host's hashed known_hosts name with salt, as ssh-keygen -H
// writes it.
func hashed(salt []byte, host string) string {
	mac := hmac.New(sha1.New, salt)
	mac.Write([]byte(host))
	return "|1|" + base64.StdEncoding.EncodeToString(salt) + "|" + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func TestReplaceKnownHost(t *testing.T) {
	key := newHostKey(t)
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))
	const old = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOldOldOldOldOldOldOldOldOldOldOldOldOldOldOld"
	salt := []byte("0123456789abcdefghij")
	for _, tc := range []struct {
		name, in, want string
	}{
		{"no file yet", "", "10.0.0.13 " + line + "\n"},
		{"the old key replaced, the others kept in order",
			"10.0.0.11 " + old + "\n10.0.0.13 " + old + "\n10.0.0.12 " + old + "\n",
			"10.0.0.11 " + old + "\n10.0.0.12 " + old + "\n10.0.0.13 " + line + "\n"},
		{"no final newline", "10.0.0.11 " + old, "10.0.0.11 " + old + "\n10.0.0.13 " + line + "\n"},
		{"a longer address with the same start is another host",
			"10.0.0.130 " + old + "\n10.0.0.1 " + old + "\n",
			"10.0.0.130 " + old + "\n10.0.0.1 " + old + "\n10.0.0.13 " + line + "\n"},
		{"every form of the host: name lists, port 22, hashed, twice",
			"controller3,10.0.0.13 " + old + "\n[10.0.0.13]:22 " + old + "\n" + hashed(salt, "10.0.0.13") + " " + old + "\n10.0.0.13 " + old + "\n",
			"10.0.0.13 " + line + "\n"},
		{"another port, another hash, comments, blanks and markers kept",
			"# the lab\n\n[10.0.0.13]:2222 " + old + "\n" + hashed(salt, "10.0.0.12") + " " + old + "\n@cert-authority 10.0.0.13 " + old + "\n@revoked 10.0.0.13 " + old + "\n",
			"# the lab\n\n[10.0.0.13]:2222 " + old + "\n" + hashed(salt, "10.0.0.12") + " " + old + "\n@cert-authority 10.0.0.13 " + old + "\n@revoked 10.0.0.13 " + old + "\n10.0.0.13 " + line + "\n"},
		{"a broken hashed name is not the host", "|1|!!!|??? " + old + "\n", "|1|!!!|??? " + old + "\n10.0.0.13 " + line + "\n"},
	} {
		got := string(replaceKnownHost([]byte(tc.in), "10.0.0.13", key))
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, d)
		}
	}
}

// reimageLab is a lab in a temporary directory with what installRoot
// needs and no lab up: a tiny base image (a host key of its own that must
// not survive, and os-release), the lab's key and certificate, a state
// file with two nodes that are off.
func reimageLab(t *testing.T) (*Lab, addrPlan) {
	t.Helper()
	dir := t.TempDir()
	l, err := New(Config{Dir: dir, Nodes: []string{"n1", "n2"}, CIDR: "10.0.0.0/24", Bridge: "hagunit"})
	if err != nil {
		t.Fatal(err)
	}
	ap, _ := plan(l.cfg.CIDR, 2)
	base := t.TempDir()
	for name, data := range map[string]string{"etc/os-release": "ID=debian\n", "etc/ssh/ssh_host_rsa_key": "the image's key\n", "usr/bin/true": "#!/bin/sh\n"} {
		p := filepath.Join(base, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(l.path("cache"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("tar", "-C", base, "-cf", l.path("cache", l.cfg.Suite+".tar"), ".").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v: %s", err, out)
	}
	if err := l.keys(); err != nil {
		t.Fatal(err)
	}
	if err := l.makeTLS(ap.data[netPublic].vip); err != nil {
		t.Fatal(err)
	}
	if err := l.saveState(&state{Bridge: "hagunit", CIDR: "10.0.0.0/24", Nodes: []nodeState{{Name: "n1", Addr: "10.0.0.11", Netns: "hagunit-n1"}, {Name: "n2", Addr: "10.0.0.12", Netns: "hagunit-n2"}}}); err != nil {
		t.Fatal(err)
	}
	return l, ap
}

// diskView is what a node's directory and the lab's known_hosts say.
type diskView struct {
	// Root is "old" (the disk before, with its file), "new" (a fresh one)
	// or "none".
	Root             string
	RootNew, RootOld bool
	Unfinished       bool
	// KnownKey is "old" (the old disk's key), "new" (the fresh disk's
	// key) or "other"; KnownLines counts the lines for the node.
	KnownKey   string
	KnownLines int
	Boots      bool
}

func viewDisk(t *testing.T, l *Lab, node, addr string, oldKey ssh.PublicKey) diskView {
	t.Helper()
	dir := l.nodeDir(node)
	exists := func(p string) bool { _, err := os.Lstat(p); return err == nil }
	v := diskView{Root: "none", RootNew: exists(filepath.Join(dir, rootNew)), RootOld: exists(filepath.Join(dir, rootOld)),
		Unfinished: l.reimageUnfinished(node), Boots: l.diskReady(node) == nil, KnownKey: "other"}
	var rootKey ssh.PublicKey
	if exists(filepath.Join(dir, "root", "etc", "os-release")) {
		v.Root = "new"
		if exists(filepath.Join(dir, "root", "root", "written-before")) {
			v.Root = "old"
		}
		data, err := os.ReadFile(filepath.Join(dir, "root", "etc", "ssh", "ssh_host_ed25519_key.pub"))
		if err != nil {
			t.Fatal(err)
		}
		if rootKey, _, _, _, err = ssh.ParseAuthorizedKey(data); err != nil {
			t.Fatal(err)
		}
	}
	kh, _ := os.ReadFile(l.path("known_hosts"))
	for _, line := range strings.Split(string(kh), "\n") {
		if h, rest, ok := strings.Cut(line, " "); ok && h == addr {
			v.KnownLines++
			k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(rest))
			if err != nil {
				t.Fatalf("known_hosts: %q: %v", line, err)
			}
			switch {
			case string(k.Marshal()) == string(oldKey.Marshal()):
				v.KnownKey = "old"
			case rootKey != nil && v.Root == "new" && string(k.Marshal()) == string(rootKey.Marshal()):
				v.KnownKey = "new"
			}
		}
	}
	if _, err := knownhosts.New(l.path("known_hosts")); err != nil {
		t.Errorf("known_hosts does not parse: %v", err)
	}
	return v
}

// An interrupted reimage leaves the old disk or a node marked
// unfinished that does not boot, never a half disk that boots; the next
// reimage finishes it.
func TestInstallRootInterrupted(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		step string
		want diskView
	}{
		{"marked", diskView{Root: "old", Unfinished: true, KnownKey: "old", KnownLines: 1}},
		{"filled", diskView{Root: "old", RootNew: true, Unfinished: true, KnownKey: "old", KnownLines: 1}},
		{"moved", diskView{Root: "none", RootNew: true, RootOld: true, Unfinished: true, KnownKey: "old", KnownLines: 1}},
		{"swapped", diskView{Root: "new", RootOld: true, Unfinished: true, KnownKey: "old", KnownLines: 1}},
		{"recorded", diskView{Root: "new", RootOld: true, Unfinished: true, KnownKey: "new", KnownLines: 1}},
		{"cleaned", diskView{Root: "new", Unfinished: true, KnownKey: "new", KnownLines: 1}},
	} {
		t.Run(tc.step, func(t *testing.T) {
			l, ap := reimageLab(t)
			if err := l.installRoot(ctx, "n2", ap.nodes[1]); err != nil {
				t.Fatal(err)
			}
			oldKey := readRootKey(t, l, "n2")
			if err := os.WriteFile(filepath.Join(l.nodeDir("n2"), "root", "root", "written-before"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(diskView{Root: "old", KnownKey: "old", KnownLines: 1, Boots: true}, viewDisk(t, l, "n2", "10.0.0.12", oldKey)); d != "" {
				t.Fatalf("before (-want +got):\n%s", d)
			}
			stop := errors.New("interrupted")
			l.afterStep = func(s string) error {
				if s == tc.step {
					return stop
				}
				return nil
			}
			if err := l.installRoot(ctx, "n2", ap.nodes[1]); !errors.Is(err, stop) {
				t.Fatalf("installRoot = %v, want the interruption", err)
			}
			if d := cmp.Diff(tc.want, viewDisk(t, l, "n2", "10.0.0.12", oldKey)); d != "" {
				t.Errorf("interrupted after %s (-want +got):\n%s", tc.step, d)
			}
			if Requirements() == nil { // PowerOn needs root and the lab's tools
				if err := l.PowerOn(ctx, "n2"); err == nil || !strings.Contains(err.Error(), "reimage n2 again") {
					t.Errorf("PowerOn of an unfinished node = %v, want a refusal naming the repair", err)
				}
			}
			if info, err := l.Info(); err != nil || info.Nodes[1].State != "stopped, reimage unfinished" {
				t.Errorf("Info = %+v, %v; want n2 stopped, reimage unfinished", info, err)
			}
			// The next reimage repairs it.
			l.afterStep = nil
			err := l.reimage(ctx, "n2")
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(diskView{Root: "new", KnownKey: "new", KnownLines: 1, Boots: true}, viewDisk(t, l, "n2", "10.0.0.12", oldKey)); d != "" {
				t.Errorf("after the repair (-want +got):\n%s", d)
			}
		})
	}
}

func readRootKey(t *testing.T, l *Lab, node string) ssh.PublicKey {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(l.nodeDir(node), "root", "etc", "ssh", "ssh_host_ed25519_key.pub"))
	if err != nil {
		t.Fatal(err)
	}
	k, _, _, _, err := ssh.ParseAuthorizedKey(data)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// A reimage gives the node a fresh disk as up makes one: its name, a new
// host key (the image's own keys gone), a new machine ID, the lab's key
// and certificate; the other node and its known_hosts line are untouched.
func TestReimageFreshDisk(t *testing.T) {
	ctx := context.Background()
	l, ap := reimageLab(t)
	for i, n := range []string{"n1", "n2"} {
		if err := l.installRoot(ctx, n, ap.nodes[i]); err != nil {
			t.Fatal(err)
		}
	}
	root := filepath.Join(l.nodeDir("n2"), "root")
	read := func(p string) string {
		b, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	oldKey, oldID := readRootKey(t, l, "n2"), read("etc/machine-id")
	khBefore, _ := os.ReadFile(l.path("known_hosts"))
	if err := os.WriteFile(filepath.Join(root, "root", "written-before"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := l.reimage(ctx, "n2")
	if err != nil {
		t.Fatal(err)
	}
	newKey := readRootKey(t, l, "n2")
	if string(newKey.Marshal()) == string(oldKey.Marshal()) || read("etc/machine-id") == oldID {
		t.Error("the reimaged node kept its host key or machine ID")
	}
	if _, err := os.Stat(filepath.Join(root, "root", "written-before")); err == nil {
		t.Error("a file written before the reimage is still there")
	}
	authorized, _ := os.ReadFile(l.path("id_ed25519.pub"))
	caPEM, _ := os.ReadFile(l.CACert())
	got := map[string]string{"hostname": read("etc/hostname"), "authorized_keys": read("root/.ssh/authorized_keys"), "ca": read("root/haguide-tls/ca.pem")}
	if d := cmp.Diff(map[string]string{"hostname": "n2\n", "authorized_keys": string(authorized), "ca": string(caPEM)}, got); d != "" {
		t.Errorf("the fresh disk (-want +got):\n%s", d)
	}
	if keys, _ := filepath.Glob(filepath.Join(root, "etc/ssh/ssh_host_*")); len(keys) != 2 {
		t.Errorf("host keys %v, want the lab's ed25519 pair only", keys)
	}
	// known_hosts: n1's line as it was, n2's with the new key.
	khAfter, _ := os.ReadFile(l.path("known_hosts"))
	want := strings.Replace(string(khBefore), strings.TrimSpace(string(ssh.MarshalAuthorizedKey(oldKey))), strings.TrimSpace(string(ssh.MarshalAuthorizedKey(newKey))), 1)
	if d := cmp.Diff(want, string(khAfter)); d != "" {
		t.Errorf("known_hosts (-want +got):\n%s", d)
	}
	cb, err := knownhosts.New(l.path("known_hosts"))
	if err != nil {
		t.Fatal(err)
	}
	addr := &netAddr{"10.0.0.12:22"}
	if err := cb("10.0.0.12:22", addr, newKey); err != nil {
		t.Errorf("the new host key is not accepted: %v", err)
	}
	var keyErr *knownhosts.KeyError
	if err := cb("10.0.0.12:22", addr, oldKey); !errors.As(err, &keyErr) || len(keyErr.Want) == 0 {
		t.Errorf("the old host key: %v, want a mismatch", err)
	}
}

type netAddr struct{ s string }

func (a *netAddr) Network() string { return "tcp" }
func (a *netAddr) String() string  { return a.s }

// A node that is on (its container runs, or its BMC is about to boot it)
// is not reimaged, and the refusal says how to power it off.
func TestReimageRefusesPoweredOn(t *testing.T) {
	ctx := context.Background()
	l, ap := reimageLab(t)
	for i, n := range []string{"n1", "n2"} {
		if err := l.installRoot(ctx, n, ap.nodes[i]); err != nil {
			t.Fatal(err)
		}
	}
	// A process that the lab takes for n1's container.
	fake := exec.Command("sleep", "30")
	fake.Args[0] = nspawnProg
	fake.Path, _ = exec.LookPath("sleep")
	if err := fake.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fake.Process.Kill(); _ = fake.Wait() })
	for end := time.Now().Add(5 * time.Second); !running(fake.Process.Pid, nspawnProg) && time.Now().Before(end); {
		time.Sleep(time.Millisecond)
	}
	st, _ := l.loadState()
	st.Nodes[0].PID = fake.Process.Pid
	st.Nodes[1].BootPending = "token"
	if err := l.saveState(st); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ node, want string }{
		{"n1", "n1: it is powered on (systemd-nspawn pid "},
		{"n2", "n2: it is powered on (its BMC boots it within 10s): power it off first: haguide lab kill n2"},
	} {
		before := readRootKey(t, l, tc.node)
		err := l.reimage(ctx, tc.node)
		if !errors.Is(err, ErrPoweredOn) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "haguide lab kill "+tc.node) {
			t.Errorf("reimage %s = %v, want ErrPoweredOn: %q and how to power it off", tc.node, err, tc.want)
		}
		if after := readRootKey(t, l, tc.node); string(after.Marshal()) != string(before.Marshal()) || l.reimageUnfinished(tc.node) {
			t.Errorf("a refused reimage of %s changed its disk", tc.node)
		}
	}
	// Without a base image there is nothing to install.
	st.Nodes[1].BootPending = ""
	if err := l.saveState(st); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(l.path("cache", l.cfg.Suite+".tar")); err != nil {
		t.Fatal(err)
	}
	err := l.reimage(ctx, "n2")
	if err == nil || !strings.Contains(err.Error(), "no base image") || l.reimageUnfinished("n2") {
		t.Errorf("reimage without a base image = %v", err)
	}
}

// A node without a disk does not boot, and says how to get one.
func TestDiskReady(t *testing.T) {
	l, _ := reimageLab(t)
	if err := l.diskReady("n1"); err == nil || !strings.Contains(err.Error(), "n1 has no disk to boot (haguide lab reimage n1 installs one)") {
		t.Errorf("diskReady of a node with no disk = %v", err)
	}
}

// testReimage, in TestLabIntegration: controller3 is refused while it
// runs; killed, reimaged and started, it answers SSH with a new host key
// that known_hosts holds, the old key is refused, and a file written
// before is gone; its name and address stay. testBMCs then powers the
// reimaged node off and on through its BMC.
func testReimage(t *testing.T, l *Lab, run func(node, cmd string) (string, error)) {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	info, err := l.Info()
	if err != nil {
		t.Fatal(err)
	}
	c3 := info.Nodes[2]
	hostKey := func() ssh.PublicKey {
		t.Helper()
		var got ssh.PublicKey
		c, err := ssh.Dial("tcp", net.JoinHostPort(c3.Addr, "22"), &ssh.ClientConfig{User: "root", Timeout: 5 * time.Second,
			HostKeyCallback: func(_ string, _ net.Addr, k ssh.PublicKey) error { got = k; return errors.New("seen") }})
		if err == nil {
			c.Close()
		}
		if got == nil {
			t.Fatalf("controller3's host key: %v", err)
		}
		return got
	}
	oldKey := hostKey()
	if _, err := run("controller3", "echo before >/root/written-before"); err != nil {
		t.Fatal(err)
	}
	if err := l.Reimage(ctx, "controller3"); !errors.Is(err, ErrPoweredOn) {
		t.Fatalf("reimage of a running node = %v, want ErrPoweredOn", err)
	}
	if err := l.Kill(ctx, "controller3"); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	if err := l.Reimage(ctx, "controller3"); err != nil {
		t.Fatal(err)
	}
	took := time.Since(t0)
	if info, _ := l.Info(); info.Nodes[2].State != "stopped" {
		t.Fatalf("controller3 after reimage: %+v, want stopped", info.Nodes[2])
	}
	if err := l.Start(ctx, "controller3"); err != nil {
		t.Fatal(err)
	}
	// run checks the host key against the lab's known_hosts.
	out, err := run("controller3", "hostname; ip -4 -o addr show dev eth0 | awk '{print $4}'; ls /root/written-before 2>&1; true")
	ap, _ := plan(l.cfg.CIDR, len(l.cfg.Nodes))
	if want := fmt.Sprintf("controller3\n%s/%d\nls: cannot access '/root/written-before': No such file or directory\n", c3.Addr, ap.prefix.Bits()); err != nil || out != want {
		t.Fatalf("controller3 after reimage and start: %q %v, want %q", out, err, want)
	}
	newKey := hostKey()
	if string(newKey.Marshal()) == string(oldKey.Marshal()) {
		t.Fatal("controller3 kept its host key through the reimage")
	}
	cb, err := knownhosts.New(info.KnownHosts)
	if err != nil {
		t.Fatal(err)
	}
	remote := &netAddr{net.JoinHostPort(c3.Addr, "22")}
	var keyErr *knownhosts.KeyError
	if err := cb(remote.s, remote, oldKey); !errors.As(err, &keyErr) || len(keyErr.Want) != 1 {
		t.Fatalf("known_hosts and controller3's old host key: %v, want a mismatch with one known key", err)
	}
	t.Logf("reimage of controller3: %s; kill, reimage, start and the checks: %s", took.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}

// FuzzReplaceKnownHost: whatever the file holds, the result ends with the
// node's one new line, holds no other line for the node, and keeps every
// other line in order.
func FuzzReplaceKnownHost(f *testing.F) {
	f.Add("10.0.0.13 ssh-ed25519 AAAA\n10.0.0.11 ssh-ed25519 BBBB\n", "10.0.0.13")
	f.Add("controller3,10.0.0.13 k\n[10.0.0.13]:22 k\n# c\n\n@revoked 10.0.0.13 k\n", "10.0.0.13")
	f.Add(hashed([]byte("salt"), "10.0.0.13")+" k\n|1|x|y k\n", "10.0.0.13")
	f.Add("\r\n10.0.0.13\tk\n", "10.0.0.13")
	signer, _ := sshtest.NewSigner(f)
	key := signer.PublicKey()
	f.Fuzz(func(t *testing.T, in, host string) {
		if host == "" || strings.ContainsAny(host, " \t\r\n,#@") {
			return
		}
		out := string(replaceKnownHost([]byte(in), host, key))
		newLine := host + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if lines[len(lines)-1] != newLine {
			t.Fatalf("last line %q, want %q", lines[len(lines)-1], newLine)
		}
		var kept []string
		for _, line := range lines[:len(lines)-1] {
			if fl := strings.Fields(line); len(fl) > 0 && !strings.HasPrefix(fl[0], "#") && !strings.HasPrefix(fl[0], "@") && knownHostMatches(fl[0], host) {
				t.Fatalf("a line for %s is left: %q", host, line)
			}
			kept = append(kept, line)
		}
		var want []string
		sc := strings.Split(in, "\n")
		if sc[len(sc)-1] == "" {
			sc = sc[:len(sc)-1]
		}
		for _, line := range sc {
			if fl := strings.Fields(line); len(fl) > 0 && !strings.HasPrefix(fl[0], "#") && !strings.HasPrefix(fl[0], "@") && knownHostMatches(fl[0], host) {
				continue
			}
			want = append(want, line)
		}
		if d := cmp.Diff(want, kept, cmpopts.EquateEmpty()); d != "" {
			t.Fatalf("other lines (-want +got):\n%s", d)
		}
	})
}

package lab

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// A reimage is the lab's stand-in for a server whose disk is gone for good
// and gets a fresh operating system: the node, powered off, gets a new
// root from the base image (as up makes one), a new SSH host key and a
// new machine ID; its name, addresses, BMC and PDU outlet stay. It stays
// off until `lab start` or its BMC's power on.
//
// A node's disk is changed in steps that leave, if interrupted at any
// point, either the old disk as it was or a node marked unfinished
// (LAB-DIR/nodes/NODE/reimage-unfinished), which never boots: the next
// reimage or up makes the disk again from the start. The new root is
// filled beside the old one (root.new) and swapped in by two renames; the
// marker goes last.
const (
	reimageMark = "reimage-unfinished"
	rootNew     = "root.new"
	rootOld     = "root.old"
)

// ErrPoweredOn is a reimage of a node that is powered on.
var ErrPoweredOn = errors.New("it is powered on")

// Reimage gives a powered-off node a fresh disk from the lab's base image
// and a new SSH host key, recorded in the lab's known_hosts in place of
// the old one. The node stays off.
func (l *Lab) Reimage(ctx context.Context, node string) error {
	if err := Requirements(); err != nil {
		return err
	}
	return l.reimage(ctx, node)
}

// reimage is Reimage once the host is known to have what the lab needs.
func (l *Lab) reimage(ctx context.Context, node string) error {
	_, ns, unlock, err := l.lockNode(node)
	if err != nil {
		return err
	}
	defer unlock()
	if err := poweredOff(ns); err != nil {
		return err
	}
	if _, err := os.Stat(l.path("cache", l.cfg.Suite+".tar")); err != nil {
		return fmt.Errorf("%s: no base image to install (haguide lab up makes it): %w", ns.Name, err)
	}
	// Whatever a node that powered itself off left behind ends first: a
	// power cycle leaves nothing running (as PowerOn).
	l.killAll(ns, 10*time.Second)
	i, err := l.index(ns.Name)
	if err != nil {
		return err
	}
	ap, err := plan(l.cfg.CIDR, len(l.cfg.Nodes))
	if err != nil {
		return err
	}
	start := time.Now()
	if err := l.installRoot(ctx, ns.Name, ap.nodes[i]); err != nil {
		return fmt.Errorf("%s: %w", ns.Name, err)
	}
	l.log.Info("node reimaged; it stays off", "node", ns.Name, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// poweredOff says why a node cannot be reimaged now, if it cannot: its
// container runs, or its BMC has a power on pending.
func poweredOff(ns *nodeState) error {
	how := fmt.Sprintf("power it off first: haguide lab kill %s (or lab stop, or its BMC's chassis power off)", ns.Name)
	if running(ns.PID, nspawnProg) {
		return fmt.Errorf("%s: %w (systemd-nspawn pid %d runs): %s", ns.Name, ErrPoweredOn, ns.PID, how)
	}
	if ns.BootPending != "" {
		return fmt.Errorf("%s: %w (its BMC boots it within %s): %s", ns.Name, ErrPoweredOn, BMCBootDelay, how)
	}
	return nil
}

// nodeDir is where a node's disk and console log are.
func (l *Lab) nodeDir(node string) string { return l.path("nodes", node) }

// reimageUnfinished reports whether a reimage of node began and did not
// finish.
func (l *Lab) reimageUnfinished(node string) bool {
	_, err := os.Lstat(filepath.Join(l.nodeDir(node), reimageMark))
	return err == nil
}

// diskReady says why a node cannot boot, if it cannot: an unfinished
// reimage, or no disk at all.
func (l *Lab) diskReady(node string) error {
	if l.reimageUnfinished(node) {
		return fmt.Errorf("%s: its reimage did not finish, so it has no disk to boot: run haguide lab reimage %s again (or haguide lab up)", node, node)
	}
	if _, err := os.Stat(filepath.Join(l.nodeDir(node), "root", "etc", "os-release")); err != nil {
		return fmt.Errorf("%s has no disk to boot (haguide lab reimage %s installs one): %w", node, node, err)
	}
	return nil
}

// installRoot gives a node a fresh disk from the base image, its host
// key recorded for addr in known_hosts; see reimageMark for the steps.
func (l *Lab) installRoot(ctx context.Context, node string, addr netip.Addr) error {
	dir := l.nodeDir(node)
	root, fresh, old, mark := filepath.Join(dir, "root"), filepath.Join(dir, rootNew), filepath.Join(dir, rootOld), filepath.Join(dir, reimageMark)
	if err := writeLabFile(mark, []byte("A reimage of this node began and has not finished: the node does not boot until haguide lab reimage or up makes its disk again.\n"), 0o644); err != nil {
		return err
	}
	if err := l.reimageStep("marked"); err != nil {
		return err
	}
	// What an interrupted reimage left.
	for _, d := range []string{fresh, old} {
		if err := os.RemoveAll(d); err != nil {
			return err
		}
	}
	key, err := l.fillRoot(ctx, node, fresh)
	if err != nil {
		return err
	}
	if err := l.reimageStep("filled"); err != nil {
		return err
	}
	if _, err := os.Lstat(root); err == nil {
		if err := os.Rename(root, old); err != nil {
			return err
		}
	}
	if err := l.reimageStep("moved"); err != nil {
		return err
	}
	if err := os.Rename(fresh, root); err != nil {
		return err
	}
	if err := l.reimageStep("swapped"); err != nil {
		return err
	}
	if err := l.recordHostKey(addr, key); err != nil {
		return err
	}
	if err := l.reimageStep("recorded"); err != nil {
		return err
	}
	if err := os.RemoveAll(old); err != nil {
		return err
	}
	if err := l.reimageStep("cleaned"); err != nil {
		return err
	}
	return os.Remove(mark)
}

// reimageStep lets a test interrupt installRoot after a step.
func (l *Lab) reimageStep(step string) error {
	if l.afterStep == nil {
		return nil
	}
	return l.afterStep(step)
}

// replaceKnownHost returns known_hosts data with every line for host (by
// itself, in a list of names, as [host]:22, or hashed) removed and a line
// for host with key added at the end. Comments, blank lines, other hosts'
// lines and marker lines (@cert-authority, @revoked) are kept as they are.
func replaceKnownHost(data []byte, host string, key ssh.PublicKey) []byte {
	var out bytes.Buffer
	lines := strings.Split(string(data), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for _, line := range lines {
		if f := strings.Fields(line); len(f) > 0 && !strings.HasPrefix(f[0], "#") && !strings.HasPrefix(f[0], "@") && knownHostMatches(f[0], host) {
			continue
		}
		out.WriteString(line)
		out.WriteByte('\n')
	}
	out.WriteString(host + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key))) + "\n")
	return out.Bytes()
}

// knownHostMatches reports whether a known_hosts line's hosts field
// (comma-separated names, each plain, [name]:port or hashed |1|salt|hash)
// names host on port 22.
func knownHostMatches(field, host string) bool {
	for _, h := range strings.Split(field, ",") {
		switch {
		case h == host || h == "["+host+"]:22":
			return true
		case strings.HasPrefix(h, "|1|"):
			salt64, hash64, ok := strings.Cut(strings.TrimPrefix(h, "|1|"), "|")
			salt, err1 := base64.StdEncoding.DecodeString(salt64)
			want, err2 := base64.StdEncoding.DecodeString(hash64)
			if !ok || err1 != nil || err2 != nil {
				continue
			}
			mac := hmac.New(sha1.New, salt)
			mac.Write([]byte(host))
			if hmac.Equal(mac.Sum(nil), want) {
				return true
			}
		}
	}
	return false
}

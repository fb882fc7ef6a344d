package lab

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPublicCert(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	vip := netip.MustParseAddr("10.0.4.10")
	ca, _, bundle, err := newPublicCert(PublicName, vip, now)
	if err != nil {
		t.Fatal(err)
	}
	otherCA, _, otherBundle, err := newPublicCert(PublicName, vip, now)
	if err != nil {
		t.Fatal(err)
	}
	certPart, keyPart, _ := bytes.Cut(bundle, []byte("-----BEGIN PRIVATE KEY"))
	keyPart = append([]byte("-----BEGIN PRIVATE KEY"), keyPart...)
	_, otherKey, _ := bytes.Cut(otherBundle, []byte("-----BEGIN PRIVATE KEY"))
	otherKey = append([]byte("-----BEGIN PRIVATE KEY"), otherKey...)
	for _, tc := range []struct {
		name       string
		ca, bundle []byte
		host       string
		ip         string
		at         time.Time
		want       string // "" for valid, else a piece of the error
	}{
		{"valid", ca, bundle, PublicName, "10.0.4.10", now, ""},
		{"valid near the end", ca, bundle, PublicName, "10.0.4.10", now.Add(tlsValidity - 25*time.Hour), ""},
		{"less than a day left", ca, bundle, PublicName, "10.0.4.10", now.Add(tlsValidity - time.Hour), "expired"},
		{"another name", ca, bundle, "cloud.example.net", "10.0.4.10", now, "cloud.example.net"},
		{"another address", ca, bundle, PublicName, "10.0.3.10", now, "does not name 10.0.3.10"},
		{"another CA", otherCA, bundle, PublicName, "10.0.4.10", now, "unknown authority"},
		{"key of another certificate", ca, append(bytes.Clone(certPart), otherKey...), PublicName, "10.0.4.10", now, "does not match"},
		{"key first", ca, append(bytes.Clone(keyPart), certPart...), PublicName, "10.0.4.10", now, "does not start with a certificate"},
		{"no key", ca, certPart, PublicName, "10.0.4.10", now, "no key"},
		{"no CA", nil, bundle, PublicName, "10.0.4.10", now, "no CA"},
	} {
		err := verifyBundle(tc.ca, tc.bundle, tc.host, netip.MustParseAddr(tc.ip), tc.at)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
}

// up makes the CA once and keeps it while it fits; a new address (a lab
// on another network) gets a new one; every node gets the CA and the
// bundle with their modes.
func TestMakeAndInstallTLS(t *testing.T) {
	dir := t.TempDir()
	l, err := New(Config{Dir: dir, Nodes: []string{"controller1"}})
	if err != nil {
		t.Fatal(err)
	}
	vip := netip.MustParseAddr("10.0.4.10")
	if err := l.makeTLS(vip); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(l.CACert())
	if err := l.makeTLS(vip); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(l.CACert()); !bytes.Equal(first, again) {
		t.Error("a second up made a new CA for the same lab")
	}
	if err := l.makeTLS(netip.MustParseAddr("10.3.4.10")); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(l.CACert()); bytes.Equal(first, again) {
		t.Error("a certificate for another address was kept")
	}
	root := filepath.Join(dir, "root")
	if err := l.installTLS(root); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range []string{"tls/ca.key", "tls/ca.pem", "tls/public.pem", "root/root/haguide-tls/ca.pem", "root/root/haguide-tls/public.pem"} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		got[f] = fi.Mode().Perm().String()
	}
	if d := cmp.Diff(map[string]string{"tls/ca.key": "-rw-------", "tls/ca.pem": "-rw-r--r--", "tls/public.pem": "-rw-------",
		"root/root/haguide-tls/ca.pem": "-rw-r--r--", "root/root/haguide-tls/public.pem": "-rw-------"}, got); d != "" {
		t.Errorf("modes (-want +got):\n%s", d)
	}
	if err := checkPublicCert(filepath.Join(root, nodeTLSDir), netip.MustParseAddr("10.3.4.10"), time.Now()); err != nil {
		t.Errorf("the node's copy: %v", err)
	}
}

func FuzzVerifyBundle(f *testing.F) {
	ca, _, bundle, err := newPublicCert(PublicName, netip.MustParseAddr("10.0.4.10"), time.Now())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ca, bundle)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"), []byte("junk"))
	f.Fuzz(func(t *testing.T, ca, bundle []byte) {
		_ = verifyBundle(ca, bundle, PublicName, netip.MustParseAddr("10.0.4.10"), time.Now())
	})
}

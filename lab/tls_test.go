package lab

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

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

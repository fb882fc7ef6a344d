package lab

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/haguide/haguide/internal/tlscert"
)

// The lab's public endpoints: the guide terminates TLS at HAProxy on
// PUBLIC_VIP with a certificate for PUBLIC_NAME that the reader brings.
// The lab brings its own, as a reader would: up makes a CA and a
// certificate signed by it (LAB-DIR/tls/), and puts the PEM bundle and the
// CA in every node's nodeTLSDir, where the inventory's PUBLIC_CERT_BUNDLE
// and PUBLIC_CA_CERT say they are. The host's trust store is never
// touched; a host-side client passes LAB-DIR/tls/ca.pem itself.
const (
	// PublicName is the lab's PUBLIC_NAME (.test is reserved, RFC 2606).
	PublicName = "cloud.haguide.test"
	// nodeTLSDir is where the certificate lands in a node.
	nodeTLSDir = "/root/haguide-tls"
	// tlsValidity is how long the lab's CA and certificate are valid: a
	// lab lives hours, and down throws both away.
	tlsValidity = 30 * 24 * time.Hour
)

// CACert is the path of the lab's CA certificate on the host.
func (l *Lab) CACert() string { return l.path("tls", "ca.pem") }

// makeTLS makes the lab's CA and the public certificate for PublicName
// and vip, once: a certificate that still names both and has a day left
// is kept.
func (l *Lab) makeTLS(vip netip.Addr) error {
	dir := l.path("tls")
	if err := checkPublicCert(dir, vip, time.Now()); err == nil {
		return nil
	}
	caPEM, caKeyPEM, bundle, err := tlscert.Issue(PublicName, vip, time.Now(), tlsValidity)
	if err != nil {
		return fmt.Errorf("the lab's certificate: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		data []byte
		mode os.FileMode
	}{{"ca.key", caKeyPEM, 0o600}, {"ca.pem", caPEM, 0o644}, {"public.pem", bundle, 0o600}} {
		if err := writeLabFile(filepath.Join(dir, f.name), f.data, f.mode); err != nil {
			return err
		}
	}
	return nil
}

// installTLS copies the CA and the bundle into a node's disk (root is
// the node's root directory, which a running node sees at once).
func (l *Lab) installTLS(root string) error {
	for _, f := range []struct {
		name string
		mode os.FileMode
	}{{"ca.pem", 0o644}, {"public.pem", 0o600}} {
		data, err := os.ReadFile(l.path("tls", f.name))
		if err != nil {
			return err
		}
		dst := filepath.Join(root, nodeTLSDir, f.name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return err
		}
		if err := writeLabFile(dst, data, f.mode); err != nil {
			return err
		}
	}
	return nil
}

// checkPublicCert checks the bundle in dir against the CA there: signed
// by it, for PublicName and ip, a key that matches, and at least a day
// left at now.
func checkPublicCert(dir string, ip netip.Addr, now time.Time) error {
	caPEM, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		return err
	}
	bundle, err := os.ReadFile(filepath.Join(dir, "public.pem"))
	if err != nil {
		return err
	}
	return tlscert.Verify(caPEM, bundle, PublicName, ip, now)
}

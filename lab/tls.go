package lab

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"time"
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
	caPEM, caKeyPEM, bundle, err := newPublicCert(PublicName, vip, time.Now())
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

// newPublicCert returns a new CA (certificate and key, PEM) and a bundle
// for HAProxy's crt: the server certificate for name and ip, signed by
// the CA, followed by its key. ECDSA P-256, as the openssl commands the
// guide shows make.
func newPublicCert(name string, ip netip.Addr, now time.Time) (caPEM, caKeyPEM, bundle []byte, err error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	serial := func() (*big.Int, error) { return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126)) }
	caSerial, err := serial()
	if err != nil {
		return nil, nil, nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          caSerial,
		Subject:               pkix.Name{CommonName: "haguide lab CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(tlsValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, nil, nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	srvSerial, err := serial()
	if err != nil {
		return nil, nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: srvSerial,
		Subject:      pkix.Name{CommonName: name},
		// Clients match the subjectAltName, never the CN (RFC 6125).
		DNSNames:    []string{name},
		IPAddresses: []net.IP{ip.AsSlice()},
		NotBefore:   now.Add(-time.Hour),
		NotAfter:    now.Add(tlsValidity),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, err
	}
	caKeyDER, err := x509.MarshalPKCS8PrivateKey(caKey)
	if err != nil {
		return nil, nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, nil, err
	}
	caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	caKeyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: caKeyDER})
	bundle = append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})...)
	return caPEM, caKeyPEM, bundle, nil
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
	return verifyBundle(caPEM, bundle, PublicName, ip, now)
}

// verifyBundle checks a HAProxy bundle (certificate, then key) against a
// CA for name and ip at now, with a day to spare.
func verifyBundle(caPEM, bundle []byte, name string, ip netip.Addr, now time.Time) error {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return errors.New("no CA certificate")
	}
	certBlock, rest := pem.Decode(bundle)
	if certBlock == nil || certBlock.Type != "CERTIFICATE" {
		return errors.New("the bundle does not start with a certificate")
	}
	keyBlock, _ := pem.Decode(rest)
	if keyBlock == nil || keyBlock.Type != "PRIVATE KEY" {
		return errors.New("the bundle has no key after its certificate")
	}
	cert, err := x509.ParseCertificate(certBlock.Bytes)
	if err != nil {
		return fmt.Errorf("the bundle's certificate: %w", err)
	}
	key, err := x509.ParsePKCS8PrivateKey(keyBlock.Bytes)
	if err != nil {
		return fmt.Errorf("the bundle's key: %w", err)
	}
	if k, ok := key.(*ecdsa.PrivateKey); !ok || !k.PublicKey.Equal(cert.PublicKey) {
		return errors.New("the bundle's key does not match its certificate")
	}
	if !slices.ContainsFunc(cert.IPAddresses, func(a net.IP) bool { return bytes.Equal(a.To4(), ip.AsSlice()) }) {
		return fmt.Errorf("the certificate does not name %s", ip)
	}
	for _, at := range []time.Time{now, now.Add(24 * time.Hour)} {
		if _, err := cert.Verify(x509.VerifyOptions{DNSName: name, Roots: pool, CurrentTime: at}); err != nil {
			return err
		}
	}
	return nil
}

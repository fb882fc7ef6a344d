package tlscert

import (
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
	"slices"
	"time"
)

// Issue returns a new CA (certificate and key, PEM) and a bundle for
// HAProxy's crt: the server certificate for name and ip, signed by the
// CA, followed by its key. Both are ECDSA P-256, as the openssl commands
// the guide shows make, valid from an hour before now for validity.
func Issue(name string, ip netip.Addr, now time.Time, validity time.Duration) (caPEM, caKeyPEM, bundle []byte, err error) {
	ca, caKey, err := sign(&x509.Certificate{
		Subject:               pkix.Name{CommonName: "haguide lab CA"},
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}, nil, nil, now, validity)
	if err != nil {
		return nil, nil, nil, err
	}
	srv, key, err := sign(&x509.Certificate{
		Subject: pkix.Name{CommonName: name},
		// Clients match the subjectAltName, never the CN (RFC 6125).
		DNSNames:    []string{name},
		IPAddresses: []net.IP{ip.AsSlice()},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, ca, caKey, now, validity)
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
	caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw})
	caKeyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: caKeyDER})
	bundle = append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Raw}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})...)
	return caPEM, caKeyPEM, bundle, nil
}

// sign makes a P-256 key and a certificate for it from tmpl, with a
// random serial number and the validity period, signed by parent's key
// (self-signed when parent is nil).
func sign(tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, now time.Time, validity time.Duration) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	if tmpl.SerialNumber, err = rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126)); err != nil {
		return nil, nil, err
	}
	tmpl.NotBefore, tmpl.NotAfter = now.Add(-time.Hour), now.Add(validity)
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", tmpl.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

// Verify checks a HAProxy bundle (certificate, then key) against a CA
// for name and ip at now, with a day to spare.
func Verify(caPEM, bundle []byte, name string, ip netip.Addr, now time.Time) error {
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
	if !slices.ContainsFunc(cert.IPAddresses, func(a net.IP) bool {
		addr, ok := netip.AddrFromSlice(a)
		return ok && addr.Unmap() == ip.Unmap()
	}) {
		return fmt.Errorf("the certificate does not name %s", ip)
	}
	for _, at := range []time.Time{now, now.Add(24 * time.Hour)} {
		if _, err := cert.Verify(x509.VerifyOptions{DNSName: name, Roots: pool, CurrentTime: at}); err != nil {
			return err
		}
	}
	return nil
}

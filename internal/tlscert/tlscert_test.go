package tlscert

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"
)

const (
	name     = "cloud.haguide.test"
	validity = 30 * 24 * time.Hour
)

func TestPublicCert(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	vip := netip.MustParseAddr("10.0.4.10")
	ca, _, bundle, err := Issue(name, vip, now, validity)
	if err != nil {
		t.Fatal(err)
	}
	otherCA, _, otherBundle, err := Issue(name, vip, now, validity)
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
		{"valid", ca, bundle, name, "10.0.4.10", now, ""},
		{"valid near the end", ca, bundle, name, "10.0.4.10", now.Add(validity - 25*time.Hour), ""},
		{"less than a day left", ca, bundle, name, "10.0.4.10", now.Add(validity - time.Hour), "expired"},
		{"another name", ca, bundle, "cloud.example.net", "10.0.4.10", now, "cloud.example.net"},
		{"another address", ca, bundle, name, "10.0.3.10", now, "does not name 10.0.3.10"},
		{"another CA", otherCA, bundle, name, "10.0.4.10", now, "unknown authority"},
		{"key of another certificate", ca, append(bytes.Clone(certPart), otherKey...), name, "10.0.4.10", now, "does not match"},
		{"key first", ca, append(bytes.Clone(keyPart), certPart...), name, "10.0.4.10", now, "does not start with a certificate"},
		{"no key", ca, certPart, name, "10.0.4.10", now, "no key"},
		{"no CA", nil, bundle, name, "10.0.4.10", now, "no CA"},
	} {
		err := Verify(tc.ca, tc.bundle, tc.host, netip.MustParseAddr(tc.ip), tc.at)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
}

func FuzzVerify(f *testing.F) {
	ca, _, bundle, err := Issue(name, netip.MustParseAddr("10.0.4.10"), time.Now(), validity)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ca, bundle)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"), []byte("junk"))
	f.Fuzz(func(t *testing.T, ca, bundle []byte) {
		_ = Verify(ca, bundle, name, netip.MustParseAddr("10.0.4.10"), time.Now())
	})
}

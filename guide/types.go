package guide

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ValueType is the form a placeholder's values take. Each type allows a
// set of characters that is safe everywhere the guide writes a value: a
// shell word (unquoted, or in single or double quotes), an SQL string, a
// URL's user or password, an ini or HAProxy file, a Python string. None
// has a quote, a $, a backtick, a backslash, a blank, a #, a ;, a % or a
// non-ASCII character, and none begins with a - (an option) or a ~.
type ValueType struct {
	Name string
	// Form says what a value looks like, for messages and docs.
	Form string
	// Secret types hold secrets: their values are masked, and verify
	// generates them when nobody gives one.
	Secret bool
	ok     func(string) bool
}

var (
	nameRE     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	passwordRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{7,127}$`)
	cookieRE   = regexp.MustCompile(`^[A-Za-z0-9]{20,255}$`)
	numberRE   = regexp.MustCompile(`^(0|[1-9][0-9]{0,5})$`)
	sizeRE     = regexp.MustCompile(`^[1-9][0-9]{0,5}[KMG]?$`)
	pathRE     = regexp.MustCompile(`^(/[A-Za-z0-9._-]+)+/?$|^/$`)
	dnsRE      = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$`)
)

// SecretAlphabet is the alphabet of generated secrets (verify's, and the
// site's "Generate" button): letters and digits without the look-alikes
// l, o, 0, 1, I and O, safe in every place a password or cookie goes.
const SecretAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// SecretLength is the length of a generated secret.
const SecretLength = 24

// ValueTypes are the types a placeholder may have, by name.
var ValueTypes = []ValueType{
	{Name: "ipv4", Form: "an IPv4 address such as 10.0.0.10", ok: isIPv4},
	{Name: "cidr", Form: "an IPv4 network in CIDR notation such as 10.0.0.0/24, its host bits zero", ok: isCIDR},
	{Name: "host", Form: "an IPv4 address or a DNS name (letters, digits, hyphens and dots) such as 192.0.2.11 or ntp.example.net", ok: isHost},
	{Name: "number", Form: "a whole number of up to 6 digits, no sign or leading zero, such as 4", ok: numberRE.MatchString},
	{Name: "size", Form: "a whole number of up to 6 digits with an optional K, M or G, such as 512M", ok: sizeRE.MatchString},
	{Name: "name", Form: "1 to 64 letters, digits, dots, hyphens and underscores, beginning with a letter or digit, such as fence", ok: nameRE.MatchString},
	{Name: "path", Form: "an absolute path of letters, digits, dots, hyphens, underscores and slashes, such as /srv/haguide", ok: func(s string) bool { return pathRE.MatchString(s) && !slices.Contains(strings.Split(s, "/"), "..") }},
	{Name: "password", Form: "8 to 128 letters, digits, dots, hyphens and underscores, beginning with a letter or digit", Secret: true, ok: passwordRE.MatchString},
	{Name: "cookie", Form: "20 to 255 letters and digits", Secret: true, ok: cookieRE.MatchString},
}

// LookupType returns the value type of that name.
func LookupType(name string) (ValueType, bool) {
	for _, t := range ValueTypes {
		if t.Name == name {
			return t, true
		}
	}
	return ValueType{}, false
}

func typeNames() string {
	names := make([]string, len(ValueTypes))
	for i, t := range ValueTypes {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}

// Check reports whether v is a value of the type; the error says what is
// wrong and which form is allowed. hide keeps the value out of the error
// (for secrets).
func (t ValueType) Check(v string, hide bool) error {
	if t.ok(v) {
		return nil
	}
	what := strconv.Quote(v)
	if hide {
		what = fmt.Sprintf("the secret value (%d characters, not shown)", utf8.RuneCountInString(v))
	}
	why := ""
	if r, i := badChar(v); i >= 0 && hide {
		why = fmt.Sprintf(": its character %d is not one of those", i+1)
	} else if i >= 0 {
		why = fmt.Sprintf(": it has %s at character %d", describeRune(r), i+1)
	}
	return fmt.Errorf("%s is not %s: want %s%s", what, article(t.Name), t.Form, why)
}

func article(name string) string {
	if strings.ContainsRune("aeio", rune(name[0])) {
		return "an " + name
	}
	return "a " + name
}

// badChar returns the first character that no type allows, with its
// index in characters; -1 when there is none.
func badChar(v string) (rune, int) {
	i := 0
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-/", r)) {
			return r, i
		}
		i++
	}
	return 0, -1
}

func describeRune(r rune) string {
	switch r {
	case ' ':
		return "a space"
	case '\t':
		return "a tab"
	case '\n':
		return "a line break"
	case '\'':
		return "a single quote"
	case '"':
		return "a double quote"
	case '`':
		return "a backquote"
	}
	if r > ' ' && r < 0x7f {
		return "'" + string(r) + "'"
	}
	return strconv.QuoteRune(r)
}

func isIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4() && a.String() == s
}

func isCIDR(s string) bool {
	p, err := netip.ParsePrefix(s)
	return err == nil && p.Addr().Is4() && p.Masked() == p && p.String() == s
}

func isHost(s string) bool {
	if isIPv4(s) {
		return true
	}
	// All digits and dots is a bad address, not a name.
	return len(s) <= 253 && dnsRE.MatchString(s) && strings.Trim(s, "0123456789.") != ""
}

// ValueType returns the type of a declared or built-in placeholder.
func (s *Settings) ValueType(name string) (ValueType, bool) {
	if b, ok := s.Builtin(name); ok {
		return LookupType(b.Type)
	}
	ph, ok := s.Placeholders[name]
	if !ok {
		return ValueType{}, false
	}
	return LookupType(ph.Type)
}

// CheckValue reports whether v is a value of the placeholder's type; the
// error names the placeholder and the allowed form.
func (s *Settings) CheckValue(name, v string) error {
	t, ok := s.ValueType(name)
	if !ok {
		return fmt.Errorf("%s is not a placeholder with a type", name)
	}
	if err := t.Check(v, t.Secret || s.Placeholders[name].Secret); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

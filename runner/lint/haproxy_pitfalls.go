package lint

import (
	"slices"
	"strings"
)

// A pitfall is an HAProxy setting that `haproxy -c` accepts but that does
// not do what the guide needs on the packages it targets. Each was found
// in the lab; docs/lab.md tells how.
type pitfall struct {
	// match reports whether the line's fields (comments removed) hold it.
	match func(fields []string) bool
	msg   string
}

var haproxyPitfalls = []pitfall{
	{
		match: func(f []string) bool {
			return len(f) > 0 && f[0] == "default-server" && slices.Contains(f, "tcp-ut")
		},
		msg: "`tcp-ut` on `default-server`: HAProxy 3.0.11 (Debian 13) accepts it but never sets it on the connections; put it on each `server` line",
	},
	{
		match: func(f []string) bool {
			i := slices.Index(f, "on-marked-down")
			return i >= 0 && i+1 < len(f) && f[i+1] == "shutdown-sessions"
		},
		msg: "`on-marked-down shutdown-sessions`: HAProxy 3.0.10 and 3.0.11 (Debian 13) leave a connection that is still being opened to the server when it fires half-closed for good, with no timeout; end connections to a dead server with `tcp-ut` and server keepalives instead (chapter 5)",
	},
}

// checkHAProxyPitfalls reports every pitfall in the HAProxy files the
// guide writes, at the guide's line.
func checkHAProxyPitfalls(name string, f *file, distro string, res *Result) {
	for i, line := range strings.Split(string(f.data), "\n") {
		code, _, _ := strings.Cut(line, "#")
		fields := strings.Fields(code)
		for _, p := range haproxyPitfalls {
			if !p.match(fields) {
				continue
			}
			where := f.pos
			if f.contentPos.Line > 0 {
				where = f.contentPos
				where.Line += i // line i+1 of the file
				where.Col = len(line) - len(strings.TrimLeft(line, " \t")) + 1
			}
			res.Problems = append(res.Problems, Problem{Pos: where, Distro: distro, File: name, Msg: "haproxy: " + p.msg})
		}
	}
	res.Checked = append(res.Checked, "haproxy pitfalls: "+name)
}

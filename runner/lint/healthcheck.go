package lint

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/haguide/haguide/distros"
)

// healthCheck is an HAProxy section that checks its servers with GET
// /healthcheck: the line of the check and the ports it goes to.
type healthCheck struct {
	section string
	line    int // 0-based, in the file
	col     int // 1-based
	ports   []int
}

// haproxySections are the keywords that open a section of HAProxy's
// configuration.
var haproxySections = []string{"global", "defaults", "frontend", "backend", "listen", "peers", "resolvers", "userlist", "program", "http-errors", "ring", "cache", "mailers", "crt-store", "traces"}

// healthChecks finds the sections of an HAProxy file whose health check
// asks /healthcheck (`option httpchk [METH] /healthcheck ...` or
// `http-check send ... uri /healthcheck`), with the ports their servers
// are checked on: a server's (or default-server's) `port`, else the port
// of its address.
func healthChecks(data []byte) []healthCheck {
	var out []healthCheck
	var cur *healthCheck
	defPort := 0
	var ports []int
	flush := func() {
		if cur != nil {
			cur.ports = ports
			out = append(out, *cur)
		}
		cur, defPort, ports = nil, 0, nil
	}
	var section string
	for i, line := range strings.Split(string(data), "\n") {
		code, _, _ := strings.Cut(line, "#")
		f := strings.Fields(code)
		if len(f) == 0 {
			continue
		}
		if slices.Contains(haproxySections, f[0]) {
			flush()
			section = strings.Join(f, " ")
			continue
		}
		switch {
		case asksHealthcheck(f):
			if cur == nil {
				cur = &healthCheck{section: section, line: i, col: len(line) - len(strings.TrimLeft(line, " \t")) + 1}
			}
		case f[0] == "default-server":
			if p, ok := optionPort(f); ok {
				defPort = p
			}
		case f[0] == "server" && len(f) >= 3:
			p, ok := optionPort(f)
			if !ok {
				p = defPort
			}
			if p == 0 {
				if j := strings.LastIndexByte(f[2], ':'); j >= 0 {
					p, _ = strconv.Atoi(f[2][j+1:])
				}
			}
			if p > 0 && !slices.Contains(ports, p) {
				ports = append(ports, p)
			}
		}
	}
	flush()
	return out
}

// asksHealthcheck tells a check line that requests /healthcheck.
func asksHealthcheck(f []string) bool {
	switch {
	case len(f) >= 3 && f[0] == "option" && f[1] == "httpchk":
		return slices.Contains(f[2:], "/healthcheck")
	case len(f) >= 2 && f[0] == "http-check" && f[1] == "send":
		i := slices.Index(f, "uri")
		return i >= 0 && i+1 < len(f) && f[i+1] == "/healthcheck"
	}
	return false
}

// optionPort returns the value of a server line's `port` option.
func optionPort(f []string) (int, bool) {
	for i := 1; i+1 < len(f); i++ {
		if f[i] == "port" {
			p, err := strconv.Atoi(f[i+1])
			return p, err == nil && p > 0
		}
	}
	return 0, false
}

// iniValue returns the value of a key in a section of an ini file, read
// the way inimerge reads it (the last value wins, as in oslo.config and
// PasteDeploy); continuation lines are left out.
func iniValue(data []byte, section, key string) (string, bool) {
	cur, val, found := "", "", false
	for _, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		switch {
		case t == "" || t[0] == '#' || t[0] == ';':
		case t[0] == '[' && strings.HasSuffix(t, "]"):
			cur = strings.TrimSpace(t[1 : len(t)-1])
		case cur == section && line[0] != ' ' && line[0] != '\t':
			i := strings.IndexAny(t, "=:")
			if i > 0 && strings.TrimSpace(t[:i]) == key {
				val, found = strings.TrimSpace(t[i+1:]), true
			}
		}
	}
	return val, found
}

// pasteHealthcheck tells whether a paste file's pipeline section starts
// with a filter that is oslo.middleware's health check.
func pasteHealthcheck(data []byte, pipeline string) bool {
	p, ok := iniValue(data, pipeline, "pipeline")
	if !ok {
		return false
	}
	f := strings.Fields(p)
	if len(f) == 0 {
		return false
	}
	sec := "filter:" + f[0]
	for _, k := range []string{"paste.filter_factory", "use"} {
		if v, ok := iniValue(data, sec, k); ok && strings.Contains(strings.ToLower(v), "healthcheck") {
			return true
		}
	}
	return false
}

// checkHealthRoutes reports an HAProxy check of GET /healthcheck on an
// API that does not answer there on the distro: its package's paste file
// has no health check in front of it (distros.HealthRouteAt) and the
// guide's own edits of that file add none. Such a check fails on every
// node, and HAProxy holds the API down everywhere.
func checkHealthRoutes(files map[string]*file, cfgs []string, distro string, res *Result) {
	for _, name := range cfgs {
		f := files[name]
		for _, hc := range healthChecks(f.data) {
			for _, port := range hc.ports {
				r, ok := distros.HealthRouteAt(distro, port)
				if !ok {
					continue
				}
				res.Checked = append(res.Checked, fmt.Sprintf("healthcheck route: %s (%s)", hc.section, r.API))
				if r.Routed {
					continue
				}
				var msg string
				switch {
				case r.Pipeline == "":
					msg = fmt.Sprintf("%s checks GET /healthcheck on %s (port %d), which has no health check that answers there on %s; check GET / instead", hc.section, r.API, port, distro)
				case files[r.File] != nil && pasteHealthcheck(files[r.File].data, r.Pipeline):
					continue
				default:
					msg = fmt.Sprintf("%s checks GET /healthcheck on %s (port %d), but %s as %s's package installs it has no health check in [%s], and the guide adds none there: the check fails on every node; merge oslo.middleware's filter into that pipeline first", hc.section, r.API, port, r.File, distro, r.Pipeline)
				}
				where := f.pos
				if f.contentPos.Line > 0 {
					where = f.contentPos
					where.Line += hc.line
					where.Col = hc.col
				}
				res.Problems = append(res.Problems, Problem{Pos: where, Distro: distro, File: name, Msg: "haproxy: " + msg})
			}
		}
	}
}

package lint

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/internal/tlscert"
	"github.com/haguide/haguide/internal/yamltext"
	"github.com/haguide/haguide/runner"
	"github.com/haguide/haguide/runner/inimerge"
)

// Problem is one thing wrong with a file the guide writes.
type Problem struct {
	Pos    guide.Pos `json:"pos"`
	Distro string    `json:"distro"`
	File   string    `json:"file"`
	Msg    string    `json:"message"`
}

func (p Problem) String() string {
	if p.File == "" {
		return fmt.Sprintf("%s: [%s] %s", p.Pos, p.Distro, p.Msg)
	}
	return fmt.Sprintf("%s: [%s] %s: %s", p.Pos, p.Distro, p.File, p.Msg)
}

// Result is what a lint run found and what it checked.
type Result struct {
	Problems []Problem `json:"problems"`
	// Checked lists "tool: file" for every check made.
	Checked []string `json:"checked"`
	// Skipped lists checks that could not be made, with the reason.
	Skipped []string `json:"skipped,omitempty"`
}

// Options tune a run.
type Options struct {
	// HAProxy is the haproxy binary; empty looks it up on PATH, "-"
	// skips the check.
	HAProxy string
}

// exampleValue fills a placeholder with the settings' example, and the
// built-in node values with a plausible address plan.
func exampleValue(s *guide.Settings, node string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		if p, ok := s.Placeholders[name]; ok {
			return p.Example, p.Example != ""
		}
		if b, ok := s.Builtin(name); ok {
			return b.Value(node, func(n string) string { return nodeAddr(s, n) }), true
		}
		return "", false
	}
}

func nodeAddr(s *guide.Settings, node string) string {
	return fmt.Sprintf("10.0.0.%d", 11+slices.Index(s.Nodes, node))
}

// file is the state of one file after the plan's blocks.
type file struct {
	data []byte
	pos  guide.Pos // the last block that wrote it
	// contentPos is where the file's first line is written in the guide,
	// when one block wrote it whole.
	contentPos guide.Pos
	lang       string
}

// Distro checks the files the plan of one distro writes on its first node.
func Distro(ctx context.Context, g *guide.Guide, distro string, opts Options) (*Result, error) {
	p, err := runner.NewPlan(g, distro, runner.PlanOptions{Lab: true})
	if err != nil {
		return nil, err
	}
	res := &Result{}
	node := ""
	if len(g.Settings.Nodes) > 0 {
		node = g.Settings.Nodes[0]
	}
	fill := exampleValue(g.Settings, node)
	files := map[string]*file{}
	var order []string
	for _, s := range p.Steps {
		b := s.Block
		if b.Kind != guide.KindFile || s.Skip != "" {
			continue
		}
		if !s.Local && !slices.Contains(s.Nodes, node) {
			continue
		}
		content := []byte(g.Settings.Replace(b.Content, fill))
		name := b.Attrs.File
		f, ok := files[name]
		if !ok {
			f = &file{}
			files[name] = f
			order = append(order, name)
		}
		f.pos, f.lang = b.Pos, b.Lang
		if b.Attrs.Apply == "merge" {
			f.contentPos = guide.Pos{}
			merged, err := inimerge.Merge(f.data, content)
			if err != nil {
				res.Problems = append(res.Problems, Problem{Pos: b.ContentPos, Distro: distro, File: name, Msg: "not ini: " + err.Error()})
				continue
			}
			f.data = merged
			res.Checked = append(res.Checked, "ini: "+name)
			continue
		}
		f.data = content
		f.contentPos = b.ContentPos
	}
	for _, name := range order {
		f := files[name]
		switch {
		case f.lang == "json" || strings.HasSuffix(name, ".json"):
			res.Checked = append(res.Checked, "json: "+name)
			var v any
			if err := json.Unmarshal(f.data, &v); err != nil {
				res.Problems = append(res.Problems, Problem{Pos: f.pos, Distro: distro, File: name, Msg: "not JSON: " + err.Error()})
			}
		case f.lang == "yaml" || strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml"):
			res.Checked = append(res.Checked, "yaml: "+name)
			if err := yamltext.Check(f.data); err != nil {
				res.Problems = append(res.Problems, Problem{Pos: f.pos, Distro: distro, File: name, Msg: "not YAML: " + err.Error()})
			}
		}
	}
	checkPackagesEachNode(p, g.Settings.Nodes, files, res)
	if err := checkHAProxy(ctx, files, distro, opts, res); err != nil {
		return nil, err
	}
	for _, name := range order {
		if f := files[name]; isPython(name, f) {
			checkPython(ctx, name, f, distro, res)
		}
	}
	return res, nil
}

// isPython tells a Python program by its fence, its name or its #! line.
func isPython(name string, f *file) bool {
	first, _, _ := bytes.Cut(f.data, []byte("\n"))
	return f.lang == "python" || strings.HasSuffix(name, ".py") ||
		(bytes.HasPrefix(first, []byte("#!")) && bytes.Contains(first, []byte("python")))
}

// pyParse parses the program on stdin and prints "line:col:message" for a
// syntax error.
const pyParse = `import ast, sys
try:
    ast.parse(sys.stdin.read())
except SyntaxError as e:
    print(f"{e.lineno or 1}:{e.offset or 1}:{e.msg}")
    sys.exit(1)
`

// checkPython parses a Python file with the machine's python3 (it is not
// run), and points at the guide's line of a syntax error.
func checkPython(ctx context.Context, name string, f *file, distro string, res *Result) {
	bin, err := exec.LookPath("python3")
	if err != nil {
		res.Skipped = append(res.Skipped, "python: no python3 on this machine for "+name)
		return
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "-c", pyParse)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(f.data), &out, &out
	err = cmd.Run()
	res.Checked = append(res.Checked, "python: "+name)
	if err == nil {
		return
	}
	where, msg := f.pos, strings.TrimSpace(out.String())
	if parts := strings.SplitN(msg, ":", 3); len(parts) == 3 && f.contentPos.Line > 0 {
		line, err1 := strconv.Atoi(parts[0])
		col, err2 := strconv.Atoi(parts[1])
		if err1 == nil && err2 == nil {
			where = f.contentPos
			where.Line += line - 1
			where.Col = col
			msg = parts[2]
		}
	}
	res.Problems = append(res.Problems, Problem{Pos: where, Distro: distro, File: name, Msg: "not Python: " + msg})
}

// checkHAProxy runs `haproxy -c` once per HAProxy instance the guide
// configures: haproxy.cfg with every fragment in conf.d/, in the order
// haproxy would read them, and each other .cfg under /etc/haproxy/ (an
// instance of its own, such as the database's) alone.
func checkHAProxy(ctx context.Context, files map[string]*file, distro string, opts Options, res *Result) error {
	for _, cfgs := range haproxyInstances(files) {
		if err := checkHAProxyInstance(ctx, files, cfgs, distro, opts, res); err != nil {
			return err
		}
	}
	return nil
}

// haproxyInstances groups the HAProxy files the guide writes by the
// instance that reads them, in a stable order.
func haproxyInstances(files map[string]*file) [][]string {
	var main []string
	var others [][]string
	for name := range files {
		if !strings.HasPrefix(name, "/etc/haproxy/") || !strings.HasSuffix(name, ".cfg") {
			continue
		}
		if name == "/etc/haproxy/haproxy.cfg" || path.Dir(name) == "/etc/haproxy/conf.d" {
			main = append(main, name)
		} else {
			others = append(others, []string{name})
		}
	}
	slices.SortFunc(others, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	if len(main) > 0 {
		others = append([][]string{main}, others...)
	}
	return others
}

// checkHAProxyInstance runs `haproxy -c` on the files of one instance.
func checkHAProxyInstance(ctx context.Context, files map[string]*file, cfgs []string, distro string, opts Options, res *Result) error {
	slices.SortFunc(cfgs, func(a, b string) int {
		// haproxy.cfg first, then fragments in name order.
		ra, rb := path.Base(a) != "haproxy.cfg", path.Base(b) != "haproxy.cfg"
		if ra != rb {
			if !ra {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	for _, name := range cfgs {
		checkHAProxyPitfalls(name, files[name], distro, res)
	}
	checkHealthRoutes(files, cfgs, distro, res)
	bin := opts.HAProxy
	if bin == "-" {
		res.Skipped = append(res.Skipped, "haproxy -c: skipped by request")
		return nil
	}
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("haproxy"); err != nil {
			res.Skipped = append(res.Skipped, "haproxy -c: no haproxy on this machine (scripts/deps.sh test installs it)")
			return nil
		}
	}
	dir, err := os.MkdirTemp("", "haguide-lint-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	args := []string{"-c"}
	standIn := ""
	for i, name := range cfgs {
		p := filepath.Join(dir, fmt.Sprintf("%02d-%s", i, path.Base(name)))
		data := files[name].data
		if crtArg.Match(data) && standIn == "" {
			if standIn, err = writeStandInCert(dir); err != nil {
				return err
			}
		}
		if standIn != "" {
			data = crtArg.ReplaceAll(data, []byte("${1}"+standIn))
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			return err
		}
		args = append(args, "-f", p)
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	res.Checked = append(res.Checked, "haproxy -c: "+strings.Join(cfgs, " "))
	if err != nil {
		// Point at the guide's line where haproxy names one.
		where, whereFile := files[cfgs[0]].pos, cfgs[0]
		var lines []string
		for _, l := range strings.Split(out.String(), "\n") {
			if l = strings.TrimSpace(l); l == "" || strings.HasPrefix(l, "[NOTICE]") {
				continue
			}
			for i, name := range cfgs {
				tmp := filepath.Join(dir, fmt.Sprintf("%02d-%s", i, path.Base(name)))
				if m := regexp.MustCompile(`\[` + regexp.QuoteMeta(tmp) + `:(\d+)\]`).FindStringSubmatch(l); m != nil && whereFile == cfgs[0] && where == files[cfgs[0]].pos {
					if n, _ := strconv.Atoi(m[1]); n > 0 && files[name].contentPos.Line > 0 {
						where = files[name].contentPos
						where.Line += n - 1
						where.Col = 1
						whereFile = name
					}
				}
				l = strings.ReplaceAll(l, tmp, name)
			}
			if standIn != "" {
				l = strings.ReplaceAll(l, standIn, "(a stand-in for the crt file)")
			}
			lines = append(lines, l)
		}
		res.Problems = append(res.Problems, Problem{Pos: where, Distro: distro, File: whereFile, Msg: "haproxy -c: " + strings.Join(lines, "\n")})
	}
	return nil
}

// crtArg is a bind line's certificate (crt FILE): the reader's own, on
// their nodes, which haproxy -c must read; the check gives it a stand-in.
var crtArg = regexp.MustCompile(`(?m)(^\s*bind\s.*\scrt\s+)(\S+)`)

// writeStandInCert writes a throwaway certificate and key in dir for
// the bind lines' crt, and returns its path.
func writeStandInCert(dir string) (string, error) {
	_, _, bundle, err := tlscert.Issue("haguide-lint.invalid", netip.MustParseAddr("127.0.0.1"), time.Now(), time.Hour)
	if err != nil {
		return "", fmt.Errorf("a stand-in certificate: %w", err)
	}
	p := filepath.Join(dir, "stand-in.pem")
	return p, os.WriteFile(p, bundle, 0o600)
}

package yamltext

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type scalar struct {
	Key, Text, Type string
	Kind            Kind
	Line, Col       int
}

func TestScalars(t *testing.T) {
	src := "a: 10.0\nb: 0123\nc: 0x1F\nd:\ne: [1]\nf: yes\nf2: true\ng: 'x''y'\nh: &x 1e3\ni: *x\nj: !!str 12\nk: ~\nl: |\n  two\n  lines\nm: {n: 1}\no: \"tab\\there\"\n"
	d, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	pairs, ok := d.Root.Pairs()
	if !ok {
		t.Fatal("root is not a mapping")
	}
	var got []scalar
	for _, p := range pairs {
		k, _ := p.Key.Text()
		v, _ := p.Value.Text()
		got = append(got, scalar{k, v, p.Value.Type(), p.Value.Kind(), p.Value.Line(), p.Value.Col()})
	}
	want := []scalar{
		{"a", "10.0", "float", Scalar, 1, 4},
		{"b", "0123", "int", Scalar, 2, 4},
		{"c", "0x1F", "int", Scalar, 3, 4},
		{"d", "", "", Null, 4, 3},
		{"e", "", "", List, 5, 4},
		{"f", "yes", "str", Scalar, 6, 4},
		{"f2", "true", "bool", Scalar, 7, 5},
		{"g", "x'y", "str", Scalar, 8, 4},
		{"h", "1e3", "str", Scalar, 9, 4},
		{"i", "1e3", "str", Scalar, 10, 4},
		{"j", "12", "int", Scalar, 11, 4},
		{"k", "", "", Null, 12, 4},
		{"l", "two\nlines\n", "str", Scalar, 13, 4},
		{"m", "", "", Map, 16, 4},
		{"o", "tab\there", "str", Scalar, 17, 4},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("scalars (-want +got):\n%s", d)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      Error
	}{
		{"bad indent", "all:\n  hosts:\n    c1:\n      x: 1\n     y: 2\n", Error{5, 6, "value is not allowed in this context"}},
		{"tab", "all:\n  hosts:\n    c1:\n      x: 1\n\ty: 2\n", Error{5, 1, "a tab where YAML wants spaces: indent with spaces"}},
		{"unclosed flow", "a: 1\nb: [1, 2\nc: 3\n", Error{3, 1, "',' or ']' must be specified"}},
		{"unclosed quote", "a: 1\nb: 'x\nc: 3\n", Error{2, 4, "could not find end character of single-quoted text"}},
		{"duplicate", "a: 1\na: 2\n", Error{2, 1, `mapping key "a" already defined at [1:1]`}},
		{"two documents", "a: 1\n---\nb: 2\n", Error{3, 2, "want one YAML document, not several"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.src))
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("got %v, want an *Error", err)
			}
			if d := cmp.Diff(tc.want, *got); d != "" {
				t.Errorf("error (-want +got):\n%s", d)
			}
		})
	}
}

func TestEmpty(t *testing.T) {
	for _, src := range []string{"", "# only a comment\n", "---\n"} {
		d, err := Parse([]byte(src))
		if err != nil || d.Root != nil {
			t.Errorf("Parse(%q) = %v, %v; want an empty document", src, d, err)
		}
	}
}

// FuzzParse: no input takes the parser down, errors have a position, and
// every node of a parsed document answers.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"a: 10.0\nb: [1, {c: d}]\n", "x: &a [*a]\n", "- a\n- b: c\n", "k: |\n  t\n", "a: !!binary aGk=\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Line < 1 || e.Msg == "" {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		if d.Root == nil {
			return
		}
		budget := 10000
		var walk func(n *Node, depth int)
		walk = func(n *Node, depth int) {
			if budget--; budget < 0 || depth > 50 {
				return
			}
			_, isText := n.Text()
			if isText != (n.Kind() == Scalar) {
				t.Fatalf("Text ok=%v for a node of kind %v", isText, n.Kind())
			}
			_ = n.Line() + n.Col()
			_ = n.Type() + n.String()
			if ps, ok := n.Pairs(); ok {
				for _, p := range ps {
					walk(p.Key, depth+1)
					walk(p.Value, depth+1)
				}
			}
			if items, ok := n.Items(); ok {
				for _, it := range items {
					walk(it, depth+1)
				}
			}
		}
		walk(d.Root, 0)
	})
}

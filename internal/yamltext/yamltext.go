package yamltext

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Kind is what a node holds.
type Kind int

// The kinds of node.
const (
	Scalar Kind = iota
	Null        // nothing written, ~ or null
	List
	Map
)

func (k Kind) String() string {
	switch k {
	case Null:
		return "no value"
	case List:
		return "a list"
	case Map:
		return "a mapping"
	}
	return "a single value"
}

// Error is a syntax error with its position.
type Error struct {
	Line, Col int
	Msg       string
}

func (e *Error) Error() string { return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg) }

// Doc is a parsed document.
type Doc struct {
	// Root is the document's top node; nil for an empty document.
	Root    *Node
	anchors map[string]ast.Node
}

// Node is one node of a document.
type Node struct {
	n   ast.Node
	doc *Doc
	// at stands for the node's position when n is nil (a key without a
	// value).
	at ast.Node
}

// Pair is one key and value of a mapping.
type Pair struct {
	Key, Value *Node
}

// Check reports whether data is YAML, any number of documents, with the
// position of the first error.
func Check(data []byte) error {
	_, err := parse(data)
	return err
}

func parse(data []byte) (f *ast.File, err error) {
	defer func() {
		// The parser must not take the program down on input it did
		// not foresee.
		if r := recover(); r != nil {
			f, err = nil, &Error{Line: 1, Col: 1, Msg: fmt.Sprintf("cannot parse: %v", r)}
		}
	}()
	f, err = parser.ParseBytes(data, 0)
	if err != nil {
		return nil, convertError(err)
	}
	return f, nil
}

// Parse reads one YAML document. More than one document is an error.
func Parse(data []byte) (*Doc, error) {
	f, err := parse(data)
	if err != nil {
		return nil, err
	}
	d := &Doc{anchors: map[string]ast.Node{}}
	var bodies []ast.Node
	for _, doc := range f.Docs {
		if doc != nil && doc.Body != nil {
			bodies = append(bodies, doc.Body)
		}
	}
	if len(bodies) > 1 {
		line, col := position(bodies[1])
		return nil, &Error{Line: line, Col: col, Msg: "want one YAML document, not several"}
	}
	if len(bodies) == 1 {
		d.Root = &Node{n: bodies[0], doc: d}
		// Anchors are defined before the aliases that use them.
		var bad ast.Node
		ast.Walk(visitor(func(n ast.Node) {
			switch n := n.(type) {
			case *ast.AnchorNode:
				if n.Name != nil && n.Value != nil {
					d.anchors[n.Name.GetToken().Value] = n.Value
				}
			case *ast.AliasNode:
				if _, ok := d.anchors[aliasName(n)]; !ok && bad == nil {
					bad = n
				}
			}
		}), bodies[0])
		if bad != nil {
			line, col := position(bad)
			return nil, &Error{Line: line, Col: col, Msg: "an alias without an anchor before it"}
		}
	}
	return d, nil
}

type visitor func(ast.Node)

func (v visitor) Visit(n ast.Node) ast.Visitor {
	v(n)
	return v
}

func convertError(err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		msg := ye.GetMessage()
		if strings.Contains(msg, "'\t'") {
			msg = "a tab where YAML wants spaces: indent with spaces"
		}
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			return &Error{Line: tk.Position.Line, Col: tk.Position.Column, Msg: msg}
		}
		return &Error{Line: 1, Col: 1, Msg: msg}
	}
	return &Error{Line: 1, Col: 1, Msg: err.Error()}
}

func position(n ast.Node) (int, int) {
	if n == nil {
		return 1, 1
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line, tk.Position.Column
	}
	return 1, 1
}

// maxAliasDepth bounds how many aliases resolve follows.
const maxAliasDepth = 100

// resolve looks through anchors, tags and aliases to the node that holds
// the value.
func (n *Node) resolve() ast.Node {
	x := n.n
	for range maxAliasDepth {
		switch v := x.(type) {
		case *ast.AnchorNode:
			x = v.Value
		case *ast.TagNode:
			x = v.Value
		case *ast.AliasNode:
			a, ok := n.doc.anchors[aliasName(v)]
			if !ok {
				return x
			}
			x = a
		default:
			return x
		}
		if x == nil {
			return nil
		}
	}
	return x
}

// Line and Col are where the node is written.
func (n *Node) Line() int { l, _ := n.pos(); return l }

// Col is the column where the node is written.
func (n *Node) Col() int { _, c := n.pos(); return c }

func (n *Node) pos() (int, int) {
	switch {
	case n.n != nil:
		return position(n.n)
	case n.at != nil:
		return position(n.at)
	}
	return 1, 1
}

// Kind tells what the node holds; an alias, an anchor or a tag tells
// what the node it stands for holds.
func (n *Node) Kind() Kind {
	switch n.resolve().(type) {
	case nil, *ast.NullNode:
		return Null
	case *ast.SequenceNode:
		return List
	case *ast.MappingNode, *ast.MappingValueNode:
		return Map
	}
	return Scalar
}

// Text returns a scalar's text as written: quotes and escapes of quoted
// scalars undone, anything else verbatim. ok is false for anything but
// a scalar.
func (n *Node) Text() (string, bool) {
	switch v := n.resolve().(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		if v.Value == nil {
			return "", true
		}
		return v.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return v.GetToken().Value, true
	case *ast.MergeKeyNode:
		return "<<", true
	}
	return "", false
}

// Pairs returns a mapping's keys and values in the order written; ok is
// false when the node is not a mapping.
func (n *Node) Pairs() ([]Pair, bool) {
	var mvs []*ast.MappingValueNode
	switch v := n.resolve().(type) {
	case *ast.MappingNode:
		mvs = v.Values
	case *ast.MappingValueNode:
		mvs = []*ast.MappingValueNode{v}
	default:
		return nil, false
	}
	out := make([]Pair, 0, len(mvs))
	for _, mv := range mvs {
		var key ast.Node = mv.Key
		if k, ok := key.(*ast.MappingKeyNode); ok {
			key = k.Value
		}
		p := Pair{Key: &Node{n: key, doc: n.doc}, Value: &Node{n: mv.Value, doc: n.doc}}
		if mv.Value == nil {
			p.Value = &Node{doc: n.doc, at: key}
		}
		out = append(out, p)
	}
	return out, true
}

// Items returns a list's items; ok is false when the node is not a list.
func (n *Node) Items() ([]*Node, bool) {
	s, ok := n.resolve().(*ast.SequenceNode)
	if !ok {
		return nil, false
	}
	out := make([]*Node, len(s.Values))
	for i, v := range s.Values {
		out[i] = &Node{n: v, doc: n.doc}
	}
	return out, true
}

// String shows the node as YAML, for messages.
func (n *Node) String() string {
	if n.n == nil {
		return ""
	}
	return strings.TrimSpace(n.n.String())
}

// Type is how YAML's core schema reads a scalar: "int", "float", "bool"
// or "str"; "" for anything but a scalar. A value keeps its text whatever
// its type: the type matters only to those that re-encode it (as JSON).
func (n *Node) Type() string {
	switch n.resolve().(type) {
	case *ast.IntegerNode:
		return "int"
	case *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "float"
	case *ast.BoolNode:
		return "bool"
	case *ast.StringNode, *ast.LiteralNode, *ast.MergeKeyNode:
		return "str"
	}
	return ""
}

// WantScalar says that name must be a single value and is not.
func WantScalar(name string, k Kind) string {
	if k == Null {
		return fmt.Sprintf("%s has no value; write one (an empty text is \"\")", name)
	}
	return fmt.Sprintf("%s is %s; want a single value", name, k)
}

func aliasName(a *ast.AliasNode) string {
	if a.Value == nil || a.Value.GetToken() == nil {
		return ""
	}
	return a.Value.GetToken().Value
}

package guide

import (
	"fmt"
	"slices"
	"strings"

	"github.com/haguide/haguide/distros"
)

// Builtin is a placeholder haguide fills in by itself from the guide's
// node names and the nodes' addresses: nobody declares it or gives it a
// value. This table is the one place that defines them; the renderer
// explains them, the runner and the config checks fill them in.
type Builtin struct {
	Name string
	// Meaning is what the rendered guide says the value is.
	Meaning string
	// Type is the name of its ValueType.
	Type string
	// Node is the node it is about: "" for the node the block runs on
	// (NODE_NAME, NODE_ADDR), or one of the settings' nodes (<NODE>_ADDR).
	Node string
	// Addr is true for a node's address, false for its name.
	Addr bool
}

// onNode are the built-ins whose value is the node the block runs on.
var onNode = []Builtin{
	{Name: "NODE_NAME", Meaning: "The name of the node the block runs on", Type: "name"},
	{Name: "NODE_ADDR", Meaning: "The management address of the node the block runs on", Type: "host", Addr: true},
}

// PerNode reports whether the value depends on the node a block runs on.
func (b Builtin) PerNode() bool { return b.Node == "" }

// Value returns the value in a block that runs on node on, given each
// node's address.
func (b Builtin) Value(on string, addr func(node string) string) string {
	n := b.Node
	if n == "" {
		n = on
	}
	if b.Addr {
		return addr(n)
	}
	return n
}

// Builtins returns the built-in placeholders: NODE_NAME, NODE_ADDR, and
// <NODE>_ADDR for every node of the settings, in that order.
func (s *Settings) Builtins() []Builtin {
	out := slices.Clone(onNode)
	for _, n := range s.Nodes {
		out = append(out, nodeAddr(n))
	}
	return out
}

// Builtin returns the built-in placeholder called name.
func (s *Settings) Builtin(name string) (Builtin, bool) {
	for _, b := range onNode {
		if b.Name == name {
			return b, true
		}
	}
	for _, n := range s.Nodes {
		if NodeAddrPlaceholder(n) == name {
			return nodeAddr(n), true
		}
	}
	return Builtin{}, false
}

func nodeAddr(n string) Builtin {
	return Builtin{Name: NodeAddrPlaceholder(n), Meaning: "The management address of " + n, Type: "host", Node: n, Addr: true}
}

// IsBuiltin reports whether name is a placeholder haguide fills in by
// itself (see Builtins).
func (s *Settings) IsBuiltin(name string) bool {
	_, ok := s.Builtin(name)
	return ok
}

// NodeAddrPlaceholder is the built-in placeholder holding a node's address.
func NodeAddrPlaceholder(node string) string {
	return strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(node)) + "_ADDR"
}

// LabValues returns the values the placeholders take on the local lab
// (their lab setting), for those that have one.
func (s *Settings) LabValues() map[string]string {
	out := map[string]string{}
	for name, ph := range s.Placeholders {
		if v := ph.Lab; v != "" {
			out[name] = v
		}
	}
	return out
}

// CheckDistro reports whether the guide covers the distro id: one that
// package distros knows and the settings list.
func (s *Settings) CheckDistro(id string) error {
	if _, ok := distros.Lookup(id); !ok {
		return fmt.Errorf("unknown distro %q (known: %s)", id, strings.Join(distros.IDs(), ", "))
	}
	if !slices.Contains(s.Distros, id) {
		return fmt.Errorf("the guide does not cover %s (it covers %s)", id, strings.Join(s.Distros, ", "))
	}
	return nil
}

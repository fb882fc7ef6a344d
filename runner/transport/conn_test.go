package transport_test

import (
	"github.com/haguide/haguide/runner"
	"github.com/haguide/haguide/runner/transport"
)

// The executor's view of a node is what a transport.Conn offers.
var _ runner.Conn = (*transport.Conn)(nil)

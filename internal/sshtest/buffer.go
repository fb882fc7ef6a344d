package sshtest

import (
	"bytes"
	"sync"
)

// Buffer is a bytes.Buffer that may be written and read at once: the
// output of a command or a run that a test reads while it goes on.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

package guide

import "embed"

// Embedded is the guide shipped inside the binary.
//
//go:embed SUMMARY.md *.md settings.toml all:figures
var Embedded embed.FS

// Package guide loads the High Availability Guide into a model and checks it.
//
// The guide itself (SUMMARY.md, the chapters, settings.toml and the figures)
// lives in this directory and is embedded into the binary; [Load] reads it,
// or any other guide directory, into a [Guide]: chapters, sections, headings,
// links and blocks with typed attributes, commands with their expected output,
// the placeholders they use, and the source position of each. Markdown is
// parsed with goldmark; commands with mvdan.cc/sh.
//
// [Check] reports every problem of a loaded guide as a [Diagnostic] carrying
// file:line:col. Everything else in the project (the site, the runner) reads
// the guide through this model.
package guide

// Package atomicfile writes a local file so that readers see the old
// file or the new one, never a part of it: the data goes to a temporary
// file in the same directory, which gets the mode (and, when asked, an
// owner or other change) and is synced to disk, then renamed over the
// path. On any failure the temporary file is removed and the path is left
// as it was.
//
// Files on a node are written by runner/transport, over SSH, the same way
// with the node's own tools.
package atomicfile

package transport

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/haguide/haguide/internal/shquote"
)

// Exit statuses the file scripts use for the cases callers tell apart.
const (
	exitNoFile = 44 // ReadFile: no such file
	exitNoDir  = 45 // WriteFile: the directory does not exist
)

// ReadFile reads a file on the node. A missing file is an error that
// matches fs.ErrNotExist.
func (c *Conn) ReadFile(ctx context.Context, p string) ([]byte, error) {
	if !path.IsAbs(p) {
		return nil, fmt.Errorf("%s: read %s: not an absolute path", c.target.Name, p)
	}
	q := shquote.Quote(p)
	script := fmt.Sprintf(`if [ -e %[1]s ] || [ -L %[1]s ]; then exec cat -- %[1]s; fi; echo "no such file" >&2; exit %[2]d`, q, exitNoFile)
	var out, errb bytes.Buffer
	code, err := c.run(ctx, script, nil, &out, &errb)
	switch {
	case err != nil:
		return nil, err
	case code == exitNoFile:
		return nil, &fs.PathError{Op: "read " + c.target.Name + ":", Path: p, Err: fs.ErrNotExist}
	case code != 0:
		return nil, fmt.Errorf("%s: read %s: %s (exit %d)", c.target.Name, p, strings.TrimSpace(errb.String()), code)
	}
	return out.Bytes(), nil
}

// WriteFile replaces a file on the node atomically: data goes to a
// temporary file in the same directory (mktemp), which gets its size
// checked, its mode and its owner ("user" or "user:group"), and is then
// renamed over path (and
// relabelled with restorecon where SELinux is in use). Readers
// see the old file or the new one, never a part; a failure leaves the old
// file as it was and no temporary file behind. The directory must exist.
//
// Mode 0 keeps the mode of the file it replaces (0644 for a new file), and
// an empty owner keeps its owner (the writer's for a new file), so that a
// merge into a package's configuration file leaves it as readable as the
// package made it (chmod and chown --reference, GNU coreutils).
func (c *Conn) WriteFile(ctx context.Context, p string, data []byte, mode os.FileMode, owner string) error {
	if !path.IsAbs(p) || path.Clean(p) != p || p == "/" {
		return fmt.Errorf("%s: write %s: want a clean absolute file path", c.target.Name, p)
	}
	if mode&^(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky) != 0 {
		return fmt.Errorf("%s: write %s: mode %v is not a file mode", c.target.Name, p, mode)
	}
	perm := uint32(mode.Perm())
	if mode&fs.ModeSetuid != 0 {
		perm |= 0o4000
	}
	if mode&fs.ModeSetgid != 0 {
		perm |= 0o2000
	}
	if mode&fs.ModeSticky != 0 {
		perm |= 0o1000
	}
	dir, base := path.Dir(p), path.Base(p)
	var b strings.Builder
	fmt.Fprintf(&b, "d=%s\n", shquote.Quote(dir))
	fmt.Fprintf(&b, `[ -d "$d" ] || { echo "directory $d does not exist" >&2; exit %d; }`+"\n", exitNoDir)
	fmt.Fprintf(&b, "t=$(mktemp \"$d\"/%s) || exit 1\n", shquote.Quote("."+base+".haguide-XXXXXX"))
	b.WriteString(`trap 'rm -f "$t"' EXIT` + "\n")
	b.WriteString(`trap 'rm -f "$t"; exit 143' HUP INT TERM` + "\n")
	b.WriteString(`cat >"$t" || exit 1` + "\n")
	fmt.Fprintf(&b, `n=$(wc -c <"$t") || exit 1; [ $n -eq %d ] || { echo "short write: $n of %d bytes arrived" >&2; exit 1; }`+"\n", len(data), len(data))
	// chown before chmod: chown clears set-id bits.
	if owner != "" {
		fmt.Fprintf(&b, "chown %s \"$t\" || exit 1\n", shquote.Quote(owner))
	} else {
		fmt.Fprintf(&b, "if [ -e %[1]s ]; then chown --reference=%[1]s \"$t\" || exit 1; fi\n", shquote.Quote(p))
	}
	if mode != 0 {
		fmt.Fprintf(&b, "chmod %04o \"$t\" || exit 1\n", perm)
	} else {
		fmt.Fprintf(&b, "if [ -e %[1]s ]; then chmod --reference=%[1]s \"$t\"; else chmod 0644 \"$t\"; fi || exit 1\n", shquote.Quote(p))
	}
	fmt.Fprintf(&b, "mv -f \"$t\" %s || exit 1\n", shquote.Quote(p))
	b.WriteString("trap - EXIT\n")
	// Where SELinux labels files (the RHEL family), give the file the
	// label of its final path rather than of the temporary one.
	fmt.Fprintf(&b, "if command -v restorecon >/dev/null 2>&1; then restorecon %s 2>/dev/null || :; fi\n", shquote.Quote(p))
	var errb bytes.Buffer
	code, err := c.run(ctx, b.String(), bytes.NewReader(data), nil, &errb)
	switch {
	case err != nil:
		return err
	case code == exitNoDir:
		return &fs.PathError{Op: "write " + c.target.Name + ":", Path: p, Err: fmt.Errorf("directory %s does not exist: %w", dir, fs.ErrNotExist)}
	case code != 0:
		return fmt.Errorf("%s: write %s: %s (exit %d)", c.target.Name, p, strings.TrimSpace(errb.String()), code)
	}
	return nil
}

package atomicfile

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
)

// Options change how a file is written.
type Options struct {
	// NoSync leaves out the fsync before the rename: for files a crash
	// may lose (logs, reports written again at every step), where a sync
	// per write costs more than the write.
	NoSync bool
	// Prepare, when set, is called with the temporary file's name after
	// it is written and before it is renamed (to chown it, say); its error
	// ends the write.
	Prepare func(tmp string) error
}

// Write writes data to path with mode, synced to disk.
func Write(path string, data []byte, mode os.FileMode) error {
	return WriteFrom(path, mode, Options{}, bytes.NewReader(data))
}

// WriteFunc writes what fill writes to path with mode.
func WriteFunc(path string, mode os.FileMode, o Options, fill func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(name)
		}
	}()
	err = fill(tmp)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if err == nil && !o.NoSync {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil && o.Prepare != nil {
		err = o.Prepare(name)
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	return err
}

// WriteFrom writes what r holds to path with mode.
func WriteFrom(path string, mode os.FileMode, o Options, r io.Reader) error {
	return WriteFunc(path, mode, o, func(w io.Writer) error {
		_, err := io.Copy(w, r)
		return err
	})
}

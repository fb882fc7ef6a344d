package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// entries lists the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestWrite(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		old     string // "" for no file before
		mode    os.FileMode
		o       Options
		fill    func(io.Writer) error
		wantErr error
		want    string // the file after
	}{
		{name: "new", mode: 0o600, fill: write("hello\n"), want: "hello\n"},
		{name: "replace", old: "old\n", mode: 0o644, fill: write("new\n"), want: "new\n"},
		{name: "no sync", old: "old\n", mode: 0o644, o: Options{NoSync: true}, fill: write("new\n"), want: "new\n"},
		{name: "fill fails", old: "old\n", mode: 0o644, fill: func(w io.Writer) error {
			_, _ = io.WriteString(w, "half")
			return boom
		}, wantErr: boom, want: "old\n"},
		{name: "prepare fails", old: "old\n", mode: 0o644, o: Options{Prepare: func(string) error { return boom }}, fill: write("new\n"), wantErr: boom, want: "old\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "f")
			if tt.old != "" {
				if err := os.WriteFile(p, []byte(tt.old), 0o666); err != nil {
					t.Fatal(err)
				}
			}
			err := WriteFunc(p, tt.mode, tt.o, tt.fill)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			got, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("content (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"f"}, entries(t, dir)); diff != "" {
				t.Errorf("left in the directory (-want +got):\n%s", diff)
			}
			if tt.wantErr == nil {
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != tt.mode {
					t.Errorf("mode %v, want %v", fi.Mode().Perm(), tt.mode)
				}
			}
		})
	}
}

func TestWriteMissingDir(t *testing.T) {
	p := filepath.Join(t.TempDir(), "no", "f")
	if err := Write(p, []byte("x"), 0o600); err == nil {
		t.Fatal("wrote into a directory that does not exist")
	}
}

func TestPrepareSeesTheData(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	var seen string
	err := WriteFunc(p, 0o600, Options{Prepare: func(tmp string) error {
		b, err := os.ReadFile(tmp)
		seen = string(b)
		return err
	}}, write("data"))
	if err != nil {
		t.Fatal(err)
	}
	if seen != "data" {
		t.Errorf("Prepare saw %q, want the data written", seen)
	}
}

func write(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

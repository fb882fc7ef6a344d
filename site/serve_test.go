package site

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeGuide writes the test guide into a folder.
func writeGuide(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, f := range testGuide(files) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, f.Data, 0o644))
	}
	return dir
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestServeRebuilds edits a chapter of a served guide and sees the open
// page told to reload and the page change; breaks the guide and sees the
// last good page with the error; fixes it and sees the error go.
func TestServeRebuilds(t *testing.T) {
	t.Parallel()
	dir := writeGuide(t, nil)
	srv := NewServer(os.DirFS(dir), dir, Options{}, nil)
	if err := srv.Rebuild(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	watching := make(chan error, 1)
	go func() { watching <- srv.Watch(ctx) }()
	hs := httptest.NewServer(srv)
	defer hs.Close()

	tests := []struct {
		path   string
		status int
		want   string
	}{
		{"/", 200, "<title>About · Test guide</title>"},
		{"/01-intro.html", 200, `data-live=/_haguide/events`},
		{"/assets/site.css", 200, ".skip-link"},
		{"/nowhere.html", 404, "Page not found"},
		{"/a/b/nowhere", 404, `<head><base href="/">`},
	}
	for _, tt := range tests {
		status, body := get(t, hs.URL+tt.path)
		if status != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("GET %s: %d, want %d with %q", tt.path, status, tt.status, tt.want)
		}
	}

	// An open page listens for reloads.
	req, _ := http.NewRequestWithContext(ctx, "GET", hs.URL+EventsPath, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("events Content-Type %q", ct)
	}
	events := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "event: ") {
				events <- strings.TrimPrefix(sc.Text(), "event: ")
			}
		}
	}()
	waitReload := func(what string) {
		t.Helper()
		select {
		case ev := <-events:
			if ev != "reload" {
				t.Fatalf("%s: event %q", what, ev)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no reload event in 10s", what)
		}
	}
	edit := func(name, content string) {
		t.Helper()
		// As editors do: write a new file and rename it over the old.
		tmp := filepath.Join(dir, "."+name+".swp")
		must(t, os.WriteFile(tmp, []byte(content), 0o644))
		must(t, os.Rename(tmp, filepath.Join(dir, name)))
	}
	intro := string(testGuide(nil)["01-intro.md"].Data)

	edit("01-intro.md", strings.Replace(intro, "Clients reach", "Every client reaches", 1))
	waitReload("after an edit")
	if _, body := get(t, hs.URL+"/01-intro.html"); !strings.Contains(body, "Every client reaches") {
		t.Error("the page does not show the edit")
	}

	edit("01-intro.md", intro+"\nSee [nothing](#nowhere).\n")
	waitReload("after a broken edit")
	status, body := get(t, hs.URL+"/01-intro.html")
	if status != 200 || !strings.Contains(body, "Every client reaches") {
		t.Errorf("after a failed rebuild: %d, not the last good page", status)
	}
	if !strings.Contains(body, `<div class="build-error" role="alert">`) || !strings.Contains(body, `01-intro.md:18:5: broken link: 01-intro.md has no heading with id &#34;nowhere&#34;`) {
		t.Errorf("the page does not show the error:\n%.600s", body[strings.Index(body, "<body"):])
	}
	if n, err := srv.Builds(); n < 3 || err == nil {
		t.Errorf("Builds() = %d, %v", n, err)
	}

	edit("01-intro.md", intro)
	waitReload("after the fix")
	if _, body := get(t, hs.URL+"/01-intro.html"); strings.Contains(body, "build-error") || !strings.Contains(body, "Clients reach") {
		t.Error("the fixed page still shows the error or the old text")
	}

	// A new figure folder is watched too.
	must(t, os.MkdirAll(filepath.Join(dir, "figures"), 0o755))
	time.Sleep(300 * time.Millisecond)
	waitReload("after mkdir figures")
	must(t, os.WriteFile(filepath.Join(dir, "figures", "arch.txt"), []byte("+--+\n|  |\n+--+\n"), 0o644))
	waitReload("after a new figure")
	if status, body := get(t, hs.URL+"/figures/arch.svg"); status != 200 || !strings.HasPrefix(body, "<svg") {
		t.Errorf("GET /figures/arch.svg: %d %.40q", status, body)
	}

	cancel()
	select {
	case err := <-watching:
		if err != nil {
			t.Errorf("Watch: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("Watch does not end with its context")
	}
}

// TestServeFirstBuildFails: with no good build the server shows the error
// and still streams events, so the page reloads once fixed.
func TestServeFirstBuildFails(t *testing.T) {
	dir := writeGuide(t, map[string]string{"02-cluster.md": "# Cluster\n\n[x](#gone)\n"})
	srv := NewServer(os.DirFS(dir), dir, Options{}, nil)
	if err := srv.Rebuild(); err == nil {
		t.Fatal("the broken guide built")
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	status, body := get(t, hs.URL+"/")
	if status != 500 || !strings.Contains(body, "02-cluster.md:3:1: broken link") || !strings.Contains(body, EventsPath) {
		t.Errorf("GET /: %d\n%s", status, body)
	}
}

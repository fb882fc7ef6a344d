package site

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// EventsPath is the URL path of the server-sent event stream of a
// [Server]: it sends "reload" after every rebuild, good or failed.
const EventsPath = "/_haguide/events"

// Server serves a site built in memory from a guide folder and rebuilds it
// when the folder changes (see [Server.Watch]). After a failed rebuild it
// keeps serving the last good site, with the error shown at the top of
// every page. It is an http.Handler.
type Server struct {
	fsys fs.FS
	dir  string // the folder watched; empty for a guide that cannot change
	opts Options
	log  *slog.Logger

	mu      sync.RWMutex
	files   map[string][]byte // the last good site
	lastErr error             // the last rebuild's error, nil after a good one
	builds  int

	subMu sync.Mutex
	subs  map[chan struct{}]bool
}

// NewServer returns a server for the guide in fsys; dir is the folder
// fsys reads, to watch, or "" when there is none (an embedded guide).
// It does not build: call [Server.Rebuild] first.
func NewServer(fsys fs.FS, dir string, opts Options, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts.LiveReload = EventsPath
	return &Server{fsys: fsys, dir: dir, opts: opts, log: log, subs: map[chan struct{}]bool{}}
}

// Rebuild loads and renders the guide again. On success the new site
// replaces the old one; on failure the old one stays and the error is
// shown on its pages. Either way open pages are told to reload. It
// returns the build's error.
func (s *Server) Rebuild() error {
	start := time.Now()
	var site *Site
	g, err := Load(s.fsys)
	if err == nil {
		site, err = Render(g, s.opts)
	}
	s.mu.Lock()
	s.builds++
	s.lastErr = err
	if err == nil {
		s.files = site.Files
	}
	s.mu.Unlock()
	if err != nil {
		s.log.Error("rebuild failed; serving the last good site", "err", err)
	} else {
		s.log.Info("built", "pages", len(site.Pages), "took", time.Since(start).Round(time.Millisecond))
	}
	s.notify()
	return err
}

// notify tells every open page to reload.
func (s *Server) notify() {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	for c := range s.subs {
		select {
		case c <- struct{}{}:
		default: // a reload is pending already
		}
	}
}

// Watch rebuilds on every change in the guide folder (and its
// subfolders, such as figures/) until ctx ends. Changes that come
// together (an editor's save writes and renames) make one rebuild.
func (s *Server) Watch(ctx context.Context) error {
	if s.dir == "" {
		<-ctx.Done()
		return nil
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("serve: watch %s: %w", s.dir, err)
	}
	defer w.Close()
	add := func(root string) error {
		return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != root && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return w.Add(p)
			}
			return nil
		})
	}
	if err := add(s.dir); err != nil {
		return fmt.Errorf("serve: watch %s: %w", s.dir, err)
	}
	const settle = 150 * time.Millisecond
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if strings.HasPrefix(filepath.Base(ev.Name), ".") || strings.HasSuffix(ev.Name, "~") {
				continue // editor swap and backup files
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
					_ = add(ev.Name)
				}
			}
			s.log.Debug("changed", "file", ev.Name, "op", ev.Op.String())
			timer.Reset(settle)
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			s.log.Warn("watch", "err", err)
		case <-timer.C:
			_ = s.Rebuild()
		}
	}
}

// ServeHTTP serves the site, and the event stream at [EventsPath].
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == EventsPath {
		s.events(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	s.mu.RLock()
	files, lastErr := s.files, s.lastErr
	s.mu.RUnlock()
	w.Header().Set("Cache-Control", "no-store")
	if files == nil {
		// No good build yet: show the error, and reload when fixed.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head><body>%s<script>new EventSource(%q).addEventListener('reload', () => location.reload())</script></body></html>",
			errorBanner(lastErr), EventsPath)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" || strings.HasSuffix(r.URL.Path, "/") {
		name = path.Join(name, "index.html")
	}
	body, ok := files[name]
	status := http.StatusOK
	if !ok {
		name, body, status = "404.html", files["404.html"], http.StatusNotFound
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = http.DetectContentType(body)
	}
	if status == http.StatusNotFound {
		// 404.html links relatively; at a nested path they must start
		// from the root, where this server has the site.
		body = injectAfter(body, "<head", `<base href="/">`)
	}
	if path.Ext(name) == ".html" && lastErr != nil {
		body = injectBanner(body, errorBanner(lastErr))
	}
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(status)
	if r.Method == http.MethodGet {
		_, _ = w.Write(body)
	}
}

func errorBanner(err error) string {
	msg := "no build yet"
	if err != nil {
		msg = err.Error()
	}
	return `<div class="build-error" role="alert"><p><strong>haguide serve: the last rebuild failed.</strong> This is the last good build; fix the guide and it reloads.</p><pre>` +
		html.EscapeString(msg) + `</pre></div>`
}

// injectBanner puts the banner right after the <body> tag.
func injectBanner(page []byte, banner string) []byte {
	return injectAfter(page, "<body", banner)
}

// injectAfter puts s right after the first tag that starts with open.
func injectAfter(page []byte, open, s string) []byte {
	i := bytes.Index(page, []byte(open))
	if i < 0 {
		return page
	}
	j := bytes.IndexByte(page[i:], '>')
	if j < 0 {
		return page
	}
	at := i + j + 1
	out := make([]byte, 0, len(page)+len(s))
	out = append(out, page[:at]...)
	out = append(out, s...)
	return append(out, page[at:]...)
}

// events streams "reload" events to one page until it goes away.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	c := make(chan struct{}, 1)
	s.subMu.Lock()
	s.subs[c] = true
	s.subMu.Unlock()
	defer func() {
		s.subMu.Lock()
		delete(s.subs, c)
		s.subMu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	// A comment opens the stream at once; retry tells the browser to
	// reconnect soon after a restart of the server.
	fmt.Fprint(w, ": haguide serve\nretry: 500\n\n")
	fl.Flush()
	keep := time.NewTicker(30 * time.Second)
	defer keep.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-c:
			if _, err := fmt.Fprint(w, "event: reload\ndata: rebuilt\n\n"); err != nil {
				return
			}
			fl.Flush()
		case <-keep.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
			fl.Flush()
		}
	}
}

// Builds reports how many builds ran and the last one's error.
func (s *Server) Builds() (int, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.builds, s.lastErr
}

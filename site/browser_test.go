package site

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/go-cmp/cmp"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/render/codeblocks"
)

// chromiumPath finds Debian's chromium (or $HAGUIDE_CHROMIUM). Without one
// the browser tests skip, saying why, except under CI, where they fail.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("HAGUIDE_CHROMIUM"), "/usr/bin/chromium", "chromium"} {
		if p == "" {
			continue
		}
		if full, err := exec.LookPath(p); err == nil {
			return full
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI must run the browser test, and chromium is missing: scripts/deps.sh test installs it")
	}
	t.Skip("chromium is not installed (apt-get install chromium, or scripts/deps.sh test); the browser test needs it")
	return ""
}

// newBrowser starts a headless chromium with its own profile (so its
// localStorage starts empty) and returns a tab's context, and a func that
// reports the console errors and exceptions the pages wrote so far.
func newBrowser(t *testing.T, chrome string) (context.Context, func() []string) {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chrome),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("allow-file-access-from-files", false),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	var mu sync.Mutex
	var problems []string
	msgs := chromedp.Console(ctx)
	// Headless pages have no focus of their own: without this, focus
	// events do not fire (as in a background window).
	do(t, ctx, "focus emulation", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	}))
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == "error" || m.Type == "assert" {
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s:%d: %s", m.URL, m.Line+1, m))
				mu.Unlock()
			}
		}
	}()
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(problems)
	}
}

// do runs actions with a time limit, failing the test on an error.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(c, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates JavaScript in the page and decodes its value.
func eval[T any](t *testing.T, ctx context.Context, js string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](js, opts...))
	if err != nil {
		t.Fatalf("evaluate %.80s: %v", js, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it holds.
func waitFor(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(c, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// navigating runs an action that leads to another page (a click, a key,
// a reload) and waits for that page's load event and the site script.
func navigating(t *testing.T, ctx context.Context, what string, trigger chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(c, chromedp.WaitEvent(page.LoadEventFired, nil, trigger)); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	waitFor(t, ctx, "the site script after "+what, `document.readyState === 'complete' && document.documentElement.classList.contains('js')`)
}

// open loads a page of the site and waits for the script to have run.
func open(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	do(t, ctx, "navigate to "+url, chromedp.Navigate(url))
	waitFor(t, ctx, "the site script on "+url, `document.readyState === 'complete' && document.documentElement.classList.contains('js')`)
}

// groupsJS reports, for every tab group of the page, the distros of its
// shown panels and of its selected tab, whether its labels show, and
// whether the tabs the script made hold together (one per panel, each
// controlling its panel, which it labels).
const groupsJS = `Array.from(document.querySelectorAll('.tabs')).map(g => {
  const own = sel => Array.from(g.querySelectorAll(sel)).filter(e => e.closest('.tabs') === g);
  const shown = own('.tabpanel').filter(p => p.getClientRects().length > 0);
  const selected = own('[role=tab][aria-selected=true]');
  const tabs = own('[role=tab]');
  return {
    all: own('.tabpanel').map(p => p.dataset.distros),
    tabs: tabs.length,
    aria: tabs.length === own('.tabpanel').length && tabs.every(t => {
      const p = document.getElementById(t.getAttribute('aria-controls'));
      return p && p.closest('.tabs') === g && p.getAttribute('role') === 'tabpanel' && p.getAttribute('aria-labelledby') === t.id && t.closest('[role=tablist]');
    }),
    shown: shown.map(p => p.dataset.distros),
    selected: selected.map(t => t.dataset.distros),
    focusable: own('[role=tab]').filter(t => t.tabIndex === 0).length,
    tablistShown: own('[role=tablist]').some(l => l.getClientRects().length > 0),
    labelsShown: own('.tab-label').filter(l => l.getClientRects().length > 0).length,
  };
})`

type group struct {
	All          []string `json:"all"`
	Shown        []string `json:"shown"`
	Selected     []string `json:"selected"`
	Focusable    int      `json:"focusable"`
	TablistShown bool     `json:"tablistShown"`
	LabelsShown  int      `json:"labelsShown"`
	Tabs         int      `json:"tabs"`
	ARIA         bool     `json:"aria"`
}

// checkDistro checks that every tab group of the page shows the panel for
// distro (or its first panel when it has none for it), with the ARIA
// state in step, and that per-distro documentation links point at the
// distro's pages.
func checkDistro(t *testing.T, ctx context.Context, page, distro string) {
	t.Helper()
	gs := eval[[]group](t, ctx, groupsJS)
	if len(gs) == 0 {
		t.Fatalf("%s has no tab group", page)
	}
	for i, g := range gs {
		want := g.All[0]
		for _, d := range g.All {
			if slices.Contains(strings.Fields(d), distro) {
				want = d
				break
			}
		}
		if len(g.Shown) != 1 || g.Shown[0] != want || len(g.Selected) != 1 || g.Selected[0] != want || g.Focusable != 1 || !g.TablistShown || g.LabelsShown != 0 || !g.ARIA {
			t.Errorf("%s, group %d, distro %s: %+v; want only panel %q shown and selected", page, i+1, distro, g, want)
		}
	}
	// A distro without data-href-ID uses the link's first href (the first
	// distro's page), which the script keeps in haguideHref.
	bad := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('a.doc-link.per-distro')).filter(a => !a.haguideHref || a.getAttribute('href') !== (a.getAttribute('data-href-`+distro+`') ? new URL(a.getAttribute('data-href-`+distro+`'), a.haguideHref).href : a.haguideHref)).map(a => a.dataset.ref)`)
	if len(bad) > 0 {
		t.Errorf("%s: documentation links not for %s: %v", page, distro, bad)
	}
	// data-href-ID may be relative to href: what the link goes to is
	// still a whole URL of the documentation.
	notDocs := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('a.doc-link.per-distro')).map(a => a.getAttribute('href')).filter(h => !h.startsWith('https://docs.openstack.org/'))`)
	if len(notDocs) > 0 {
		t.Errorf("%s, %s: documentation links outside the documentation: %v", page, distro, notDocs)
	}
}

// checkCopyTexts compares what each block's copy button would copy (the
// script's haguideCopyText) with the guide model's codeblocks.CopyText,
// step by step (distro variants share a step id), with the reader's
// values (vals) in place of their placeholders; NODE_NAME and NODE_ADDR
// are those of node (none: "") or of the one node a block runs on.
func checkCopyTexts(t *testing.T, ctx context.Context, g *guide.Guide, file string, vals map[string]string, node string) {
	t.Helper()
	c := g.Page(file)
	if c == nil {
		t.Fatalf("no page %s", file)
	}
	want := map[string][]string{}
	for _, b := range c.Blocks {
		if b.ID != "" {
			want[b.ID] = append(want[b.ID], withValues(codeblocks.CopyText(b), blockValues(g, b, vals, node)))
		}
	}
	pairs := eval[[][2]string](t, ctx, `Array.from(document.querySelectorAll('figure.block[data-step]')).map(f => [f.dataset.step, window.haguideCopyText(f.querySelector('pre code'))])`)
	got := map[string][]string{}
	for _, p := range pairs {
		got[p[0]] = append(got[p[0]], p[1])
	}
	for _, m := range []map[string][]string{want, got} {
		for _, v := range m {
			slices.Sort(v)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: what the copy buttons copy (-model +page):\n%s", file, diff)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('figure.block button.copy').length - document.querySelectorAll('figure.block').length`); n != 0 {
		t.Errorf("%s: %d more copy buttons than blocks", file, n)
	}
}

// chapter9Word is a word of chapter 9's text found in no other page, so
// that a search for it must lead to chapter 9.
func chapter9Word(t *testing.T) string {
	t.Helper()
	g, err := Load(realGuide())
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]map[string]bool{} // word -> pages
	for _, d := range collectDocs(t, g) {
		page, _, _ := strings.Cut(d.ID, "#")
		for _, w := range spaceOrPunct.Split(strings.ToLower(d.Title+" "+d.Text), -1) {
			if in[w] == nil {
				in[w] = map[string]bool{}
			}
			in[w][page] = true
		}
	}
	// Search matches prefixes and near spellings too, so the word's first
	// five letters must begin no word of another page either.
	elsewhere := map[string]bool{}
	for w, pages := range in {
		if len(w) >= 5 && (len(pages) > 1 || !pages["09-api-services.html"]) {
			elsewhere[w[:5]] = true
		}
	}
	var words []string
	for w, pages := range in {
		if len(pages) == 1 && pages["09-api-services.html"] && len(w) >= 7 && regexp.MustCompile(`^[a-z]+$`).MatchString(w) && !elsewhere[w[:5]] {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		t.Fatal("no word is only in chapter 9")
	}
	slices.Sort(words)
	return words[0]
}

// screenshot saves a PNG of the page as a test artifact, into
// $HAGUIDE_ARTIFACTS when set (CI keeps it), else the test's temp dir.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("HAGUIDE_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(c, chromedp.CaptureScreenshot())
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	p := filepath.Join(dir, name+".png")
	if err := os.MkdirAll(dir, 0o755); err == nil {
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Error(err)
		}
	}
	t.Logf("screenshot: %s", p)
}

// realSiteURL builds the real guide into a temporary folder and returns
// its file:// URL, ending in a slash.
func realSiteURL(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "public")
	if _, err := Build(realGuide(), dir, Options{}); err != nil {
		t.Fatal(err)
	}
	return "file://" + filepath.ToSlash(dir) + "/"
}

// siteBase is one way to reach a built site: its name and base URL.
type siteBase struct{ name, url string }

// realSiteBases builds the real guide and returns the two ways the
// browser tests reach it: file:// and an HTTP server on loopback.
func realSiteBases(t *testing.T) []siteBase {
	t.Helper()
	u := realSiteURL(t)
	srv := httptest.NewServer(http.FileServer(http.Dir(strings.TrimPrefix(u, "file://"))))
	t.Cleanup(srv.Close)
	return []siteBase{{"file", u}, {"http", srv.URL + "/"}}
}

// TestBrowser drives the built real guide in headless chromium, from
// file:// and from an HTTP server on loopback.
func TestBrowser(t *testing.T) {
	chrome := chromiumPath(t)
	word := chapter9Word(t)
	bases := realSiteBases(t)
	for _, base := range bases {
		t.Run(base.name, func(t *testing.T) {
			ctx, consoleProblems := newBrowser(t, chrome)
			u := func(p string) string { return base.url + p }

			// The default distro is the guide's first.
			open(t, ctx, u("09-api-services.html"))
			checkDistro(t, ctx, "09-api-services.html", "ubuntu")
			screenshot(t, ctx, base.name+"-08-ubuntu")

			// Choosing Debian on one group switches every group.
			// Choosing another distro's tab on one group switches every
			// group: a tab without the default (ubuntu), and without
			// rhel where there is one, so that ?distro=rhel below changes
			// the choice again.
			other := eval[string](t, ctx, `(() => {
  const tabs = Array.from(document.querySelectorAll('[role=tab]'));
  const has = (b, d) => b.dataset.distros.split(' ').includes(d);
  const b = tabs.find(b => !has(b, 'ubuntu') && !has(b, 'rhel')) || tabs.find(b => !has(b, 'ubuntu'));
  if (!b) return '';
  b.dataset.test = 'other-tab'; // not its id, which its panel names
  return b.dataset.distros.split(' ')[0];
})()`)
			if other == "" {
				t.Fatal("chapter 9 has no tab for another distro than ubuntu")
			}
			do(t, ctx, "click the "+other+" tab", chromedp.Click(chromedp.CSS("[data-test=other-tab]")))
			checkDistro(t, ctx, "09-api-services.html", other)

			// ... and on the next page, and after a reload.
			navigating(t, ctx, "click next", chromedp.Click(chromedp.CSS("a.next")))
			next := eval[string](t, ctx, `location.pathname.split('/').pop()`)
			checkPage := func() {
				t.Helper()
				if got := eval[string](t, ctx, `document.documentElement.dataset.distro`); got != other {
					t.Errorf("%s: distro %q, want %q", next, got, other)
				}
				if len(eval[[]group](t, ctx, groupsJS)) > 0 {
					checkDistro(t, ctx, next, other)
				}
			}
			checkPage()
			navigating(t, ctx, "reload", chromedp.Reload())
			checkPage()

			// ?distro=rhel sets the distro, and it stays for later pages.
			open(t, ctx, u("09-api-services.html?distro=rhel"))
			checkDistro(t, ctx, "09-api-services.html?distro=rhel", "rhel")
			open(t, ctx, u("13-verify-and-rehearse.html"))
			if gs := eval[[]group](t, ctx, groupsJS); len(gs) > 0 {
				checkDistro(t, ctx, "13-verify-and-rehearse.html", "rhel")
			}
			open(t, ctx, u("09-api-services.html"))
			checkDistro(t, ctx, "09-api-services.html", "rhel")
			if got := eval[string](t, ctx, `document.getElementById('distro-select').value`); got != "rhel" {
				t.Errorf("the distro picker shows %q, want rhel", got)
			}

			// Arrow keys move between the tabs of a group (ARIA tabs):
			// focus follows, the next tab is selected, and the choice
			// spreads.
			do(t, ctx, "focus the first group's selected tab", chromedp.Evaluate[chromedp.Void](`document.querySelector('.tabs [role=tab][aria-selected=true]').focus()`))
			before := eval[string](t, ctx, `document.activeElement.id`)
			do(t, ctx, "press ArrowRight", chromedp.KeyEvent(kb.ArrowRight))
			after := eval[string](t, ctx, `document.activeElement.id`)
			state := eval[map[string]string](t, ctx, `(() => { const a = document.activeElement; return {role: a.getAttribute('role'), selected: a.getAttribute('aria-selected'), tabindex: String(a.tabIndex), distros: a.dataset.distros, panelShown: String(document.getElementById(a.getAttribute('aria-controls')).getClientRects().length > 0)}; })()`)
			if before == after || state["role"] != "tab" || state["selected"] != "true" || state["tabindex"] != "0" || state["panelShown"] != "true" {
				t.Errorf("ArrowRight from %s went to %s: %v", before, after, state)
			}
			checkDistro(t, ctx, "09-api-services.html after ArrowRight", strings.Fields(state["distros"])[0])
			do(t, ctx, "press ArrowLeft", chromedp.KeyEvent(kb.ArrowLeft))
			if back := eval[string](t, ctx, `document.activeElement.id`); back != before {
				t.Errorf("ArrowLeft went to %s, want %s", back, before)
			}

			// A copy button puts only the commands on the clipboard.
			for _, name := range []string{"clipboard-read", "clipboard-write"} {
				_, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
					Permission: &browser.PermissionDescriptor{Name: name, AllowWithoutSanitization: true},
					Setting:    browser.PermissionSettingGranted,
				})
				if err != nil {
					t.Fatalf("grant %s: %v", name, err)
				}
			}
			want := eval[map[string]any](t, ctx, `(() => {
  const f = Array.from(document.querySelectorAll('figure.block.console')).find(f => f.getClientRects().length > 0 && f.querySelector('.output') && f.querySelector('.cmd'));
  const b = f.querySelector('button.copy');
  b.id = 'test-copy';
  b.scrollIntoView({block: 'center'});
  return {
    label: b.getAttribute('aria-label'),
    commands: Array.from(f.querySelectorAll('.cmd')).map(l => l.textContent),
    output: Array.from(f.querySelectorAll('.output')).map(l => l.textContent).filter(s => s.trim() !== ''),
  };
})()`)
			do(t, ctx, "click copy", chromedp.Click(chromedp.CSS("#test-copy")))
			waitFor(t, ctx, "the copy feedback", `document.getElementById('test-copy').textContent === 'Copied'`)
			clip := eval[string](t, ctx, `navigator.clipboard.readText()`, chromedp.EvalAwaitPromise)
			var commands, output []string
			for _, c := range want["commands"].([]any) {
				commands = append(commands, c.(string))
			}
			for _, o := range want["output"].([]any) {
				output = append(output, o.(string))
			}
			if clip != strings.Join(commands, "\n") {
				t.Errorf("clipboard = %q\nwant the commands %q", clip, strings.Join(commands, "\n"))
			}
			if want["label"] != "Copy the commands" {
				t.Errorf("the copy button of a console block is labelled %q", want["label"])
			}
			// Every block's button copies what the guide model says it
			// should (codeblocks.CopyText), read by the script from the
			// code itself.
			g, err := Load(realGuide())
			if err != nil {
				t.Fatal(err)
			}
			checkCopyTexts(t, ctx, g, "09-api-services.md", nil, "")
			for _, line := range strings.Split(clip, "\n") {
				if strings.HasPrefix(line, "# ") || strings.HasPrefix(line, "$ ") {
					t.Errorf("clipboard has a prompt: %q", line)
				}
				if slices.Contains(output, line) && !slices.Contains(commands, line) {
					t.Errorf("clipboard has expected output: %q", line)
				}
			}

			// Placeholders show their meaning on keyboard focus and on
			// hover, in one tooltip; Escape hides it.
			tip := func() string {
				return eval[string](t, ctx, `(() => { const t = document.getElementById('ph-tip'); return t.hidden ? '' : t.textContent; })()`)
			}
			// The meaning is written once, in the page's list; every use
			// is focusable and described by its entry.
			phs := eval[[]map[string]any](t, ctx, `Array.from(document.querySelectorAll('article p var')).slice(0, 2).map((v, i) => { v.id = 'test-ph-' + i; if (i === 0) v.scrollIntoView({block: 'center'}); const r = v.getBoundingClientRect(); const dd = document.getElementById(v.getAttribute('aria-describedby')); return {tip: dd && dd.closest('.ph-list') && dd.previousElementSibling.textContent === v.textContent ? dd.textContent : '', title: v.getAttribute('title') || '', tabindex: v.tabIndex, x: r.left + r.width / 2, y: r.top + r.height / 2}; })`)
			if len(phs) < 2 {
				t.Fatal("fewer than two placeholders in chapter 9's prose")
			}
			if phs[0]["tip"] == "" || phs[0]["title"] != "" || phs[0]["tabindex"] != float64(0) {
				t.Errorf("placeholder not described by its entry in the page's list, or not focusable: %v", phs[0])
			}
			undescribed := eval[int](t, ctx, `Array.from(document.querySelectorAll('var')).filter(v => !v.closest('.ph-list') && !(document.getElementById(v.getAttribute('aria-describedby') || '') || {}).textContent).length`)
			if undescribed > 0 {
				t.Errorf("%d placeholders of chapter 9 have no description", undescribed)
			}
			do(t, ctx, "focus a placeholder", chromedp.Focus(chromedp.CSS("#test-ph-0")))
			if got := tip(); got != phs[0]["tip"] {
				t.Errorf("on focus the tooltip says %q, want %q", got, phs[0]["tip"])
			}
			do(t, ctx, "press Escape", chromedp.KeyEvent(kb.Escape))
			if got := tip(); got != "" {
				t.Errorf("Escape leaves the tooltip %q", got)
			}
			do(t, ctx, "hover a placeholder", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, phs[1]["x"].(float64), phs[1]["y"].(float64)))
			if got := tip(); got != phs[1]["tip"] {
				t.Errorf("on hover the tooltip says %q, want %q", got, phs[1]["tip"])
			}
			do(t, ctx, "move away", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 5, 5))

			// Search finds a word of chapter 9 and links to it.
			open(t, ctx, u("index.html"))
			// "of" is a stop word: the index leaves it out, and so must
			// the query, or no section would match both words.
			// The whole query at once: typed key by key, each prefix is a
			// search of its own that loads its own results' texts, and
			// which of them run depends on the machine's speed.
			do(t, ctx, "type a search", chromedp.Evaluate[chromedp.Void](`(function () {
				var i = document.getElementById('search-input');
				i.focus();
				i.value = 'of `+word+`';
				i.dispatchEvent(new Event('input', {bubbles: true}));
			})()`))
			waitFor(t, ctx, "search results", `document.querySelectorAll('#search-results a').length > 0`)
			hrefs := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('#search-results a')).map(a => a.getAttribute('href'))`)
			if !strings.HasPrefix(hrefs[0], "09-api-services.html") {
				t.Errorf("search for %q: first result %s, want chapter 9 (all: %v)", word, hrefs[0], hrefs)
			}
			snip := eval[string](t, ctx, `document.querySelector('#search-results a .r-snip').textContent`)
			// The snippets' texts came for the pages listed, and only those.
			loaded := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('script[src*="search-text/"]')).map(s => s.getAttribute('src').replace(/^.*search-text\//, '').replace(/\.js.*$/, '.html'))`)
			listed := map[string]bool{}
			for _, h := range hrefs {
				listed[strings.SplitN(h, "?", 2)[0]] = true
			}
			if len(loaded) == 0 || len(loaded) > len(listed) {
				t.Errorf("loaded the texts of %v for results in %v", loaded, hrefs)
			}
			for _, p := range loaded {
				if !listed[p] {
					t.Errorf("loaded the texts of %s, which no result lists (%v)", p, hrefs)
				}
			}
			screenshot(t, ctx, base.name+"-search")
			navigating(t, ctx, "open the first result", chromedp.KeyEvent(kb.Enter))
			if p := eval[string](t, ctx, `location.pathname`); !strings.HasSuffix(p, "/09-api-services.html") {
				t.Fatalf("the search result led to %s", p)
			}
			if loc := eval[string](t, ctx, `location.search + location.hash`); hrefs[0] != "09-api-services.html"+loc {
				t.Errorf("search went to %s, want %s", loc, hrefs[0])
			}
			if !eval[bool](t, ctx, `document.body.textContent.toLowerCase().includes(`+jsString(word)+`)`) {
				t.Errorf("chapter 9 does not hold %q", word)
			}
			// The snippet shows the word, marked; so does the page.
			if !strings.Contains(strings.ToLower(snip), word) {
				t.Errorf("the first result's snippet %q lacks %q", snip, word)
			}
			if marks := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('article mark.hl')).map(m => m.textContent.toLowerCase())`); len(marks) == 0 || !strings.HasPrefix(marks[0], word) {
				t.Errorf("the page marks %v, want %q", marks, word)
			}

			// The theme toggle flips the theme, and it persists.
			theme := func() (string, string) {
				m := eval[map[string]string](t, ctx, `({theme: document.documentElement.getAttribute('data-theme') || '', bg: getComputedStyle(document.body).backgroundColor, pressed: document.getElementById('theme-toggle').getAttribute('aria-pressed')})`)
				return m["theme"] + "/" + m["pressed"], m["bg"]
			}
			_, bg0 := theme()
			do(t, ctx, "click the theme toggle", chromedp.Click(chromedp.CSS("#theme-toggle")))
			t1, bg1 := theme()
			if t1 != "dark/true" || bg1 == bg0 || bg1 != "rgb(13, 17, 23)" {
				t.Errorf("after the toggle: theme %s, background %s (was %s)", t1, bg1, bg0)
			}
			screenshot(t, ctx, base.name+"-dark")
			open(t, ctx, u("10-more-api-services.html"))
			if t2, bg2 := theme(); t2 != t1 || bg2 != bg1 {
				t.Errorf("on the next page: theme %s, background %s; want %s, %s", t2, bg2, t1, bg1)
			}
			do(t, ctx, "click the theme toggle again", chromedp.Click(chromedp.CSS("#theme-toggle")))
			if t3, bg3 := theme(); t3 != "light/false" || bg3 != "rgb(255, 255, 255)" {
				t.Errorf("after the second toggle: theme %s, background %s", t3, bg3)
			}

			// A phone-sized window: no sidebar until the menu opens.
			do(t, ctx, "phone size", chromedp.EmulateViewport(390, 844))
			open(t, ctx, u("09-api-services.html"))
			if eval[bool](t, ctx, `document.getElementById('sidebar').getClientRects().length > 0`) {
				t.Error("the sidebar shows on a phone before the menu opens")
			}
			do(t, ctx, "open the menu", chromedp.Click(chromedp.CSS(".nav-toggle")))
			if !eval[bool](t, ctx, `document.getElementById('sidebar').getClientRects().length > 0`) {
				t.Error("the menu button does not show the chapters")
			}
			if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
				t.Errorf("the page is %dpx wide on a 390px phone", w)
			}
			screenshot(t, ctx, base.name+"-phone")
			do(t, ctx, "desktop size", chromedp.ResetViewport())

			if ps := consoleProblems(); len(ps) > 0 {
				t.Errorf("console errors:\n%s", strings.Join(ps, "\n"))
			}
		})
	}

	// Without JavaScript every variant shows, each with its label.
	t.Run("nojs", func(t *testing.T) {
		ctx, _ := newBrowser(t, chrome)
		do(t, ctx, "disable scripts", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}))
		do(t, ctx, "open chapter 9", chromedp.Navigate(bases[1].url+"09-api-services.html"))
		waitFor(t, ctx, "the page", `document.readyState === 'complete'`)
		if eval[bool](t, ctx, `document.documentElement.classList.contains('js')`) {
			t.Fatal("the site script ran with scripts disabled")
		}
		gs := eval[[]group](t, ctx, groupsJS)
		if len(gs) == 0 {
			t.Fatal("no tab groups")
		}
		for i, g := range gs {
			if len(g.Shown) != len(g.All) || g.LabelsShown != len(g.All) || g.TablistShown {
				t.Errorf("group %d without JavaScript: %+v; want every panel and label shown, no tab list", i+1, g)
			}
		}
		labels := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('.tab-label')).map(l => l.textContent)`)
		for _, l := range labels {
			if strings.TrimSpace(l) == "" {
				t.Error("a tab label is empty")
			}
		}
		if n := eval[int](t, ctx, `Array.from(document.querySelectorAll('button.copy, .js-only, [role=tab]')).filter(b => b.getClientRects().length > 0).length`); n != 0 {
			t.Errorf("%d controls that need JavaScript show without it", n)
		}
		// The placeholders' meanings are on the page to read.
		if n := eval[int](t, ctx, `Array.from(document.querySelectorAll('.ph-list dd')).filter(d => d.getClientRects().length > 0 && d.textContent.trim() !== '').length`); n < 5 {
			t.Errorf("only %d placeholder meanings readable without JavaScript", n)
		}
		screenshot(t, ctx, "nojs-08")
	})
}

// TestBrowserServe opens a page that haguide serve's server serves, edits
// the chapter and sees the page reload with the edit, then breaks the
// guide and sees the error over the last good page.
func TestBrowserServe(t *testing.T) {
	chrome := chromiumPath(t)
	dir := writeGuide(t, nil)
	srv := NewServer(os.DirFS(dir), dir, Options{}, nil)
	if err := srv.Rebuild(); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithCancel(context.Background())
	go func() { _ = srv.Watch(wctx) }()
	hs := httptest.NewServer(srv)
	// Cleanups run last first: the browser goes (and with it the event
	// stream) before the server closes.
	t.Cleanup(func() { cancel(); hs.Close() })
	ctx, consoleProblems := newBrowser(t, chrome)
	listening := func() {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			srv.subMu.Lock()
			n := len(srv.subs)
			srv.subMu.Unlock()
			if n > 0 {
				return
			}
		}
		t.Fatal("the page does not listen for reloads")
	}
	intro := string(testGuide(nil)["01-intro.md"].Data)
	edit := func(content string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(context.Context, *chromedp.Target) error {
			return os.WriteFile(filepath.Join(dir, "01-intro.md"), []byte(content), 0o644)
		})
	}
	open(t, ctx, hs.URL+"/01-intro.html")
	listening()
	navigating(t, ctx, "an edit", edit(strings.Replace(intro, "Clients reach", "Every client reaches", 1)))
	if !eval[bool](t, ctx, `document.querySelector('article').textContent.includes('Every client reaches')`) {
		t.Error("the page did not reload with the edit")
	}
	listening()
	navigating(t, ctx, "a broken edit", edit(intro+"\nSee [x](#gone).\n"))
	banner := eval[string](t, ctx, `(document.querySelector('.build-error') || {}).textContent || ''`)
	if !strings.Contains(banner, `01-intro.md:18:5: broken link: 01-intro.md has no heading with id "gone"`) {
		t.Errorf("the page shows no build error: %q", banner)
	}
	if !eval[bool](t, ctx, `document.querySelector('article').textContent.includes('Every client reaches')`) {
		t.Error("the last good page is gone")
	}
	screenshot(t, ctx, "serve-error")
	if ps := consoleProblems(); len(ps) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(ps, "\n"))
	}
}

// TestBrowserFigure checks that a figure made from its text source shows,
// and follows the theme toggle (not only the system's colour scheme).
func TestBrowserFigure(t *testing.T) {
	chrome := chromiumPath(t)
	dir := filepath.Join(t.TempDir(), "public")
	fsys := testGuide(map[string]string{
		"02-cluster.md":    "# Cluster\n\n## Corosync\n\n![Two controllers](figures/arch.svg)\n",
		"figures/arch.txt": "+-------------+     +-------------+\n| controller1 |-----| controller2 |\n+-------------+     +-------------+\n",
	})
	if _, err := Build(fsys, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	ctx, consoleProblems := newBrowser(t, chrome)
	open(t, ctx, srv.URL+"/02-cluster.html")
	waitFor(t, ctx, "the figure", `document.querySelector('img[src="figures/arch.svg"]').complete`)
	if w := eval[int](t, ctx, `document.querySelector('img[src="figures/arch.svg"]').naturalWidth`); w < 100 {
		t.Fatalf("the figure is %dpx wide: not loaded", w)
	}
	// The brightness of the figure's background, at its corner.
	corner := func() int {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		b, err := chromedp.Run(c, chromedp.Screenshot(chromedp.CSS(`img[src="figures/arch.svg"]`)))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		r, g, bl, _ := img.At(img.Bounds().Min.X+2, img.Bounds().Min.Y+2).RGBA()
		return int((r + g + bl) / 3 >> 8)
	}
	if light := corner(); light < 200 {
		t.Errorf("light theme: the figure's background is %d/255 bright, want light", light)
	}
	do(t, ctx, "click the theme toggle", chromedp.Click(chromedp.CSS("#theme-toggle")))
	if dark := corner(); dark > 60 {
		t.Errorf("dark theme: the figure's background is %d/255 bright, want dark", dark)
	}
	screenshot(t, ctx, "figure-dark")
	if ps := consoleProblems(); len(ps) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(ps, "\n"))
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

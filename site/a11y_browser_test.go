package site

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axePath finds axe-core's axe.min.js: $HAGUIDE_AXE, or the copy
// scripts/deps.sh test installs from the npm registry at the version
// testdata/axe/package.json pins (its node_modules is not committed).
// Without it the test skips, saying why, except under CI, where it fails.
func axePath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("HAGUIDE_AXE"), filepath.Join("testdata", "axe", "node_modules", "axe-core", "axe.min.js")} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI must run the accessibility test, and axe-core is missing: scripts/deps.sh test installs it (npm ci in site/testdata/axe)")
	}
	t.Skip("axe-core is not installed (scripts/deps.sh test, or npm ci --prefix site/testdata/axe); the accessibility test needs it")
	return ""
}

// axeRunJS runs axe-core's WCAG 2.0 and 2.1 A and AA rules on the page
// and returns each violation: rule, impact, and the elements with what
// fails there.
const axeRunJS = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})
  .then(r => r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\s+/g, ' ')).join(' | ')))`

// TestBrowserAccessibility runs axe-core in chromium on the front page and
// three chapters of the real guide (with its run records), in the light
// and the dark theme, as they first show and with the values form open
// (a value entered, one refused) and SUSE chosen (its notices shown):
// no WCAG 2 A or AA violation.
func TestBrowserAccessibility(t *testing.T) {
	chrome := chromiumPath(t)
	axeSrc, err := os.ReadFile(axePath(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "public")
	if _, err := Build(realGuide(), dir, Options{Runs: realRuns(t)}); err != nil {
		t.Fatal(err)
	}
	// Over HTTP: axe-core reads the stylesheets, which file:// refuses.
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	base := srv.URL + "/"
	ctx, consoleProblems := newBrowser(t, chrome)
	check := func(what string) {
		t.Helper()
		if !eval[bool](t, ctx, `typeof axe !== 'undefined'`) {
			_ = eval[bool](t, ctx, string(axeSrc)+"\n;true")
		}
		found := eval[[]string](t, ctx, axeRunJS, chromedp.EvalAwaitPromise)
		if len(found) > 0 {
			t.Errorf("%s: %d axe-core violation(s):\n%s", what, len(found), strings.Join(found, "\n"))
		}
	}
	for _, theme := range []string{"light", "dark"} {
		for _, page := range []string{"index.html", "06-database.html", "09-api-services.html", "13-verify-and-rehearse.html"} {
			open(t, ctx, base+page)
			if page == "index.html" {
				// The theme, and SUSE for the chapters' notices.
				_ = eval[bool](t, ctx, `localStorage.setItem('haguide-theme', `+jsString(theme)+`); localStorage.setItem('haguide-distro', 'suse'); true`)
				open(t, ctx, base+page)
			}
			if got := eval[string](t, ctx, `document.documentElement.getAttribute('data-theme')`); got != theme {
				t.Fatalf("%s: theme %q, want %q", page, got, theme)
			}
			check(page + ", " + theme)
			if page != "09-api-services.html" {
				continue
			}
			do(t, ctx, "open the values form", chromedp.Click(chromedp.CSS("#values-open")))
			waitFor(t, ctx, "the values form", `document.getElementById('values') && document.getElementById('values').open`)
			do(t, ctx, "type a VIP", chromedp.SendKeys(chromedp.CSS("#val-CONTROLLER_VIP"), "10.1.2.3"))
			do(t, ctx, "type a bad address", chromedp.SendKeys(chromedp.CSS("#val-CONTROLLER1_ADDR"), "10.1"))
			check(page + ", " + theme + ", the values form open")
			do(t, ctx, "forget the values", chromedp.Click(chromedp.CSS("#values-clear")))
		}
	}
	if p := consoleProblems(); len(p) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(p, "\n"))
	}
}

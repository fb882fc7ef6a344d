package site

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/render/placeholders"
	"github.com/haguide/haguide/runner"
)

// TestBrowserValues enters values in the values form of chapter 9, from
// file:// and over HTTP: they show in the commands, marked as the
// reader's, secrets masked until revealed; Copy gives them; a value that
// does not fit its type is refused; a generated secret uses the runner's
// alphabet; NODE_ADDR follows the node chosen; they survive a reload and
// show on the next page; "Forget all values" brings the names back.
func TestBrowserValues(t *testing.T) {
	chrome := chromiumPath(t)
	g, err := Load(realGuide())
	if err != nil {
		t.Fatal(err)
	}
	for _, base := range realSiteBases(t) {
		t.Run(base.name, func(t *testing.T) {
			ctx, consoleProblems := newBrowser(t, chrome)
			open(t, ctx, base.url+"09-api-services.html")
			if n := eval[int](t, ctx, `document.querySelectorAll('var.mine').length`); n != 0 {
				t.Errorf("%d placeholders show a value before any was entered", n)
			}
			do(t, ctx, "open the values form", chromedp.Click(chromedp.CSS("#values-open")))
			waitFor(t, ctx, "the values form", `document.getElementById('values') && document.getElementById('values').open`)
			for _, id := range []string{"val-CONTROLLER_VIP", "val-KEYSTONE_DBPASS", "val-CONTROLLER1_ADDR", "val-CONTROLLER2_ADDR", "values-node"} {
				if !eval[bool](t, ctx, `!!document.getElementById(`+jsString(id)+`)`) {
					t.Errorf("the form has no #%s", id)
				}
			}

			// A value that does not fit its type is refused and said so.
			do(t, ctx, "type a bad VIP", chromedp.SendKeys(chromedp.CSS("#val-CONTROLLER_VIP"), "10.1.2"))
			if st := eval[[]string](t, ctx, `[document.getElementById('val-CONTROLLER_VIP').getAttribute('aria-invalid'), document.getElementById('val-CONTROLLER_VIP-e').hidden ? '' : document.getElementById('val-CONTROLLER_VIP-e').textContent, String(document.querySelectorAll('article var.mine').length)]`); st[0] != "true" || !strings.Contains(st[1], "IPv4") || st[2] != "0" {
				t.Errorf("a bad VIP: aria-invalid %s, error %q, %s values shown; want true, the form, 0", st[0], st[1], st[2])
			}
			do(t, ctx, "finish the VIP", chromedp.SendKeys(chromedp.CSS("#val-CONTROLLER_VIP"), ".3"))
			do(t, ctx, "generate a secret", chromedp.Click(chromedp.CSS("#val-KEYSTONE_DBPASS + button")))
			secret := eval[string](t, ctx, `document.getElementById('val-KEYSTONE_DBPASS').value`)
			if !regexp.MustCompile(`^[` + guide.SecretAlphabet + `]{` + "24" + `}$`).MatchString(secret) {
				t.Errorf("generated secret %q: want 24 of %s", secret, guide.SecretAlphabet)
			}
			vals := map[string]string{"CONTROLLER_VIP": "10.1.2.3", "KEYSTONE_DBPASS": secret}

			// The code shows them, marked; the secret masked.
			shown := eval[map[string]string](t, ctx, `(() => { const o = {}; document.querySelectorAll('article var.mine').forEach(v => o[v.dataset.ph] = v.textContent); return o; })()`)
			if shown["CONTROLLER_VIP"] != "10.1.2.3" || shown["KEYSTONE_DBPASS"] == "" || strings.Contains(shown["KEYSTONE_DBPASS"], secret) {
				t.Errorf("shown values %v: want the VIP, and the secret masked", shown)
			}
			if n := eval[int](t, ctx, `document.querySelectorAll('article var[data-ph=CONTROLLER_VIP]:not(.mine)').length`); n != 0 {
				t.Errorf("%d uses of CONTROLLER_VIP do not show the value", n)
			}
			do(t, ctx, "reveal the secrets", chromedp.Click(chromedp.CSS("#values-reveal")))
			if got := eval[string](t, ctx, `document.querySelector('article var[data-ph=KEYSTONE_DBPASS]').textContent`); got != secret {
				t.Errorf("revealed secret shows %q, want %q", got, secret)
			}

			// Every block copies the model's text with the values in.
			checkCopyTexts(t, ctx, g, "09-api-services.md", vals, "")

			// The copy button itself.
			for _, name := range []string{"clipboard-read", "clipboard-write"} {
				if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
					Permission: &browser.PermissionDescriptor{Name: name, AllowWithoutSanitization: true},
					Setting:    browser.PermissionSettingGranted,
				}); err != nil {
					t.Fatalf("grant %s: %v", name, err)
				}
			}
			do(t, ctx, "close the form", chromedp.Click(chromedp.CSS("#values .values-close")))
			do(t, ctx, "mark a block with the VIP", chromedp.Evaluate[chromedp.Void](`Array.from(document.querySelectorAll('figure.block')).find(f => f.getClientRects().length && f.querySelector('var[data-ph=CONTROLLER_VIP]')).querySelector('button.copy').dataset.test = 'vip-copy'`))
			do(t, ctx, "click its copy button", chromedp.Click(chromedp.CSS("[data-test=vip-copy]")))
			waitFor(t, ctx, "Copied", `document.querySelector('[data-test=vip-copy]').textContent === 'Copied'`)
			if clip := eval[string](t, ctx, `navigator.clipboard.readText()`, chromedp.EvalAwaitPromise); !strings.Contains(clip, "10.1.2.3") || strings.Contains(clip, "CONTROLLER_VIP") {
				t.Errorf("clipboard %q: want the VIP's value, not its name", clip)
			}

			// NODE_ADDR: the chosen node's address in blocks for every
			// node, each node's own in blocks for one.
			do(t, ctx, "open the values form again", chromedp.Click(chromedp.CSS("#values-open")))
			do(t, ctx, "controller1's address", chromedp.SendKeys(chromedp.CSS("#val-CONTROLLER1_ADDR"), "10.1.2.11"))
			do(t, ctx, "controller2's address", chromedp.SendKeys(chromedp.CSS("#val-CONTROLLER2_ADDR"), "10.1.2.12"))
			do(t, ctx, "choose controller2", chromedp.SetValue(chromedp.CSS("#values-node"), "controller2"),
				chromedp.Evaluate[chromedp.Void](`document.getElementById('values-node').dispatchEvent(new Event('change'))`))
			nodeAddrs := eval[[][2]string](t, ctx, `Array.from(document.querySelectorAll('article var[data-ph=NODE_ADDR], article var[data-ph=NODE_NAME]')).map(v => [(v.closest('figure.block[data-nodes]') || {dataset: {nodes: 'any'}}).dataset.nodes + ' ' + v.dataset.ph, v.textContent])`)
			want := map[string]string{"any NODE_ADDR": "10.1.2.12", "any NODE_NAME": "controller2", "controller1 NODE_ADDR": "10.1.2.11", "controller1 NODE_NAME": "controller1"}
			if len(nodeAddrs) == 0 {
				t.Error("chapter 9 uses neither NODE_ADDR nor NODE_NAME")
			}
			for _, p := range nodeAddrs {
				if w, ok := want[p[0]]; ok && p[1] != w {
					t.Errorf("%s shows %q, want %q", p[0], p[1], w)
				}
			}
			screenshot(t, ctx, base.name+"-values-form")
			do(t, ctx, "close the form", chromedp.Click(chromedp.CSS("#values .values-close")))
			screenshot(t, ctx, base.name+"-values-08")

			// After a reload, and on the next page.
			navigating(t, ctx, "reload", chromedp.Reload())
			if got := eval[string](t, ctx, `document.querySelector('article var[data-ph=CONTROLLER_VIP]').textContent`); got != "10.1.2.3" {
				t.Errorf("after a reload the VIP shows %q", got)
			}
			if got := eval[string](t, ctx, `document.querySelector('article var[data-ph=KEYSTONE_DBPASS]').textContent`); got == secret {
				t.Error("after a reload the secret shows unmasked")
			}
			open(t, ctx, base.url+"10-more-api-services.html")
			vals["CONTROLLER1_ADDR"], vals["CONTROLLER2_ADDR"] = "10.1.2.11", "10.1.2.12"
			checkCopyTexts(t, ctx, g, "10-more-api-services.md", vals, "controller2")

			// The values export as a --vars file that haguide verify takes.
			do(t, ctx, "open the values form", chromedp.Click(chromedp.CSS("#values-open")))
			waitFor(t, ctx, "the values form", `document.getElementById('values') && document.getElementById('values').open`)
			checkVarsFile(t, g, eval[string](t, ctx, `window.haguideVarsFile()`), vals)

			// A vars file imports: what fits its placeholder is taken,
			// the rest refused and said so.
			imp := filepath.Join(t.TempDir(), "vars.yaml")
			if err := os.WriteFile(imp, []byte("# mine\nCONTROLLER_VIP: 10.9.9.9\nNOT_A_PLACEHOLDER=1\nMANAGEMENT_CIDR: 10.0.0.1/24\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			do(t, ctx, "import", chromedp.SetUploadFiles(chromedp.CSS("#values-import"), []string{imp}))
			waitFor(t, ctx, "the import's report", `document.getElementById('values-status').textContent !== ''`)
			if st := eval[string](t, ctx, `document.getElementById('values-status').textContent`); !strings.HasPrefix(st, "Took 1 value from the file.") || !strings.Contains(st, "NOT_A_PLACEHOLDER (not a placeholder of the guide)") || !strings.Contains(st, "MANAGEMENT_CIDR (not an IPv4 network") {
				t.Errorf("import says %q", st)
			}
			if got := eval[[]string](t, ctx, `[document.getElementById('val-CONTROLLER_VIP') ? document.getElementById('val-CONTROLLER_VIP').value : 'none', document.querySelector('article var[data-ph=CONTROLLER_VIP]').textContent]`); got[0] != "10.9.9.9" || got[1] != "10.9.9.9" {
				t.Errorf("after the import the VIP's field and use show %v, want 10.9.9.9", got)
			}
			do(t, ctx, "close", chromedp.Click(chromedp.CSS("#values .values-close")))

			// Forgetting them brings the names back.
			do(t, ctx, "open the values form", chromedp.Click(chromedp.CSS("#values-open")))
			do(t, ctx, "forget", chromedp.Click(chromedp.CSS("#values-clear")))
			if n := eval[int](t, ctx, `document.querySelectorAll('article var.mine').length`); n != 0 {
				t.Errorf("%d values still shown after Forget", n)
			}
			checkCopyTexts(t, ctx, g, "10-more-api-services.md", nil, "")
			if ps := consoleProblems(); len(ps) > 0 {
				t.Errorf("console errors:\n%s", strings.Join(ps, "\n"))
			}
		})
	}
}

// withValues is a block's copy text with the reader's values in place of
// their placeholders, as the site's script copies it (shell variables
// such as $NAME are not placeholders).
func withValues(text string, vals map[string]string) string {
	var b strings.Builder
	last := 0
	for _, sp := range placeholders.Find(text, func(n string) bool { _, ok := vals[n]; return ok }) {
		b.WriteString(text[last:sp.Start] + vals[sp.Name])
		last = sp.End
	}
	return b.String() + text[last:]
}

// checkVarsFile checks that the site's exported vars file is one that
// haguide verify reads (runner.ReadVars) and accepts (runner.NewValues,
// which checks each value against its type), holding the values entered
// for declared placeholders.
func checkVarsFile(t *testing.T, g *guide.Guide, file string, vals map[string]string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "haguide-vars.yaml")
	if err := os.WriteFile(p, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	vf, err := runner.ReadVars(p)
	if err != nil {
		t.Fatalf("the exported vars file:\n%s\n%v", file, err)
	}
	want := map[string]string{}
	for k, v := range vals {
		if _, ok := g.Settings.Placeholders[k]; ok {
			want[k] = v
		}
	}
	if diff := cmp.Diff(want, vf.Values); diff != "" {
		t.Errorf("the exported vars file's values (-entered +file):\n%s", diff)
	}
	if _, err := runner.NewValues(runner.ValuesConfig{Settings: g.Settings, Vars: vf.Values, Origin: vf.Origin, Needed: slices.Sorted(maps.Keys(vf.Values))}); err != nil {
		t.Errorf("haguide verify refuses the exported vars file: %v", err)
	}
}

// blockValues are the values the script fills in for block b: vals, and
// NODE_NAME and NODE_ADDR of the block's one node or of the chosen node.
func blockValues(g *guide.Guide, b *guide.Block, vals map[string]string, node string) map[string]string {
	m := maps.Clone(vals)
	if len(vals) == 0 && node == "" {
		return m
	}
	n := node
	if k := b.Attrs.Nodes.Kind; k == guide.NodesFirst || k == guide.NodesOthers || k == guide.NodesNamed {
		on := b.Attrs.Nodes.Resolve(g.Settings.Nodes)
		switch {
		case len(on) == 1:
			n = on[0]
		case !slices.Contains(on, node):
			n = ""
		}
	}
	if n != "" {
		m["NODE_NAME"] = n
		if a, ok := vals[guide.NodeAddrPlaceholder(n)]; ok {
			m["NODE_ADDR"] = a
		}
	}
	return m
}

// TestBrowserValueTypes checks that the script's checks of a value (the
// values form's) agree with guide.ValueTypes on values of every type.
func TestBrowserValueTypes(t *testing.T) {
	chrome := chromiumPath(t)
	site := realSiteURL(t)
	ctx, _ := newBrowser(t, chrome)
	open(t, ctx, site+"09-api-services.html")
	do(t, ctx, "open the values form (loads its script)", chromedp.Click(chromedp.CSS("#values-open")))
	waitFor(t, ctx, "the values form's checks", `typeof window.haguideValid === 'function'`)
	values := []string{
		"", "0", "4", "04", "123456", "1234567", "-1", "512M", "512m", "0M", "1G", "10.0.0.10", "10.0.0.256", "010.0.0.1", "1.2.3", "1.2.3.4.5",
		"10.0.0.0/24", "10.0.0.1/24", "10.0.0.0/33", "10.0.0.0/08", "0.0.0.0/0", "10.0.0.10/32", "192.0.2.0/31",
		"ntp.example.net", "ntp.example.net.", "a", "1.2.3.4a", "123", "1.2.3.4.", "-a.b", "a-.b", "a_b.c", strings.Repeat("a", 64) + ".b",
		"fence", "fence.x", "_x", strings.Repeat("n", 64), strings.Repeat("n", 65),
		"/", "/srv/haguide", "/srv/../etc", "/srv/", "srv", "//", "/a b",
		"keystone-db-secret", "short", "1234567", "12345678", "-abcdefgh", "abc$defgh", strings.Repeat("p", 128), strings.Repeat("p", 129),
		strings.Repeat("c", 20), strings.Repeat("c", 19), "abcdefghij-klmnopqrstu", strings.Repeat("c", 255), strings.Repeat("c", 256),
	}
	for _, vt := range guide.ValueTypes {
		js := eval[[]bool](t, ctx, `(`+jsStrings(values)+`).map(v => window.haguideValid(`+jsString(vt.Name)+`, v))`)
		for i, v := range values {
			if want := vt.Check(v, false) == nil; js[i] != want {
				t.Errorf("%s %q: the script says %v, guide.ValueTypes %v", vt.Name, v, js[i], want)
			}
		}
	}
}

func jsStrings(s []string) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = jsString(v)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// TestBrowserValuesTwoTabs: values another tab stores (a storage event)
// show in an open page, and a value entered there next keeps them.
// (Another tab is simulated: localStorage written and its storage event
// dispatched, as the browser does in every other tab of the site.)
func TestBrowserValuesTwoTabs(t *testing.T) {
	chrome := chromiumPath(t)
	ctx, _ := newBrowser(t, chrome)
	open(t, ctx, realSiteURL(t)+"09-api-services.html")
	do(t, ctx, "open the values form", chromedp.Click(chromedp.CSS("#values-open")))
	waitFor(t, ctx, "the values form", `document.getElementById('values') && document.getElementById('values').open`)
	do(t, ctx, "another tab stores the VIP", chromedp.Evaluate[chromedp.Void](`localStorage.setItem('haguide-values', JSON.stringify({CONTROLLER_VIP: '10.1.2.3'})); window.dispatchEvent(new StorageEvent('storage', {key: 'haguide-values'}))`))
	if got := eval[string](t, ctx, `document.querySelector('article var[data-ph=CONTROLLER_VIP]').textContent`); got != "10.1.2.3" {
		t.Errorf("after another tab stored the VIP, it shows %q", got)
	}
	do(t, ctx, "API_PROCESSES here", chromedp.SendKeys(chromedp.CSS("#val-API_PROCESSES"), "3"))
	got := eval[map[string]string](t, ctx, `JSON.parse(localStorage.getItem('haguide-values'))`)
	if diff := cmp.Diff(map[string]string{"CONTROLLER_VIP": "10.1.2.3", "API_PROCESSES": "3"}, got); diff != "" {
		t.Errorf("the values kept (-want +got):\n%s", diff)
	}
}

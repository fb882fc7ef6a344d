package site

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// copyableJS lists the shown copy buttons that would copy another
// distro's commands as the reader's: on a block or in a panel whose
// distros leave out the chosen one, with the plain "Copy" label.
const copyableJS = `(() => {
  const d = document.documentElement.dataset.distro;
  return Array.from(document.querySelectorAll('button.copy')).filter(b => b.getClientRects().length > 0).filter(b => {
    const own = b.closest('[data-distros]');
    return own && !own.dataset.distros.split(' ').includes(d) && b.textContent === 'Copy';
  }).map(b => b.closest('figure').dataset.step || '?');
})()`

// TestBrowserDistroViews checks what a reader of a distro a chapter
// does not cover sees (SUSE on chapter 9: the chapter says so, each
// group without a SUSE panel says so, and its copy buttons name the
// distro they copy), and that blocks for other distros outside groups are
// folded away, with a button that shows them, for RHEL on chapter 9.
func TestBrowserDistroViews(t *testing.T) {
	chrome := chromiumPath(t)
	for _, base := range realSiteBases(t) {
		t.Run(base.name, func(t *testing.T) {
			ctx, consoleProblems := newBrowser(t, chrome)
			open(t, ctx, base.url+"09-api-services.html?distro=suse")
			notice := eval[string](t, ctx, `Array.from(document.querySelectorAll('p.distro-scope')).filter(p => p.getClientRects().length > 0).map(p => p.textContent).join('|')`)
			if !strings.Contains(notice, "does not cover SUSE") || !strings.Contains(notice, "chapters 4, 5, 6, 7 and 8 only") {
				t.Errorf("chapter 9 with SUSE says %q; want that it does not cover SUSE", notice)
			}
			st := eval[[]int](t, ctx, `(() => {
  const gs = Array.from(document.querySelectorAll('.tabs')).filter(g => !Array.from(g.querySelectorAll('.tabpanel')).some(p => p.dataset.distros.split(' ').includes('suse')));
  return [gs.length, gs.filter(g => { const n = g.querySelector('.distro-missing'); return n && n.getClientRects().length > 0 && n.textContent.includes('No SUSE'); }).length];
})()`)
			if st[0] == 0 || st[0] != st[1] {
				t.Errorf("%d groups have no SUSE panel, %d of them say so", st[0], st[1])
			}
			if bad := eval[[]string](t, ctx, copyableJS); len(bad) > 0 {
				t.Errorf("SUSE: copy buttons offer other distros' commands as the reader's: %v", bad)
			}
			screenshot(t, ctx, base.name+"-08-suse")

			// A covered chapter says nothing; RHEL's reader sees no
			// Debian-only block until asking for it.
			open(t, ctx, base.url+"09-api-services.html?distro=rhel")
			if n := eval[int](t, ctx, `Array.from(document.querySelectorAll('p.distro-scope, .distro-missing')).filter(p => p.getClientRects().length > 0).length`); n != 0 {
				t.Errorf("RHEL on chapter 9: %d notices of a distro not covered", n)
			}
			other := eval[[]int](t, ctx, `(() => {
  const fs = Array.from(document.querySelectorAll('figure.block[data-distros]')).filter(f => !f.closest('.tabpanel') && !f.dataset.distros.split(' ').includes('rhel'));
  return [fs.length, fs.filter(f => f.getClientRects().length > 0).length];
})()`)
			if other[0] == 0 || other[1] != 0 {
				t.Errorf("chapter 9 has %d blocks outside groups not for RHEL, %d of them shown; want some, none shown", other[0], other[1])
			}
			if bad := eval[[]string](t, ctx, copyableJS); len(bad) > 0 {
				t.Errorf("RHEL: copy buttons offer other distros' commands as the reader's: %v", bad)
			}
			do(t, ctx, "show the first folded block", chromedp.Click(chromedp.CSS(".other-distro-toggle:not([hidden]) button")))
			if st := eval[[]string](t, ctx, `(() => { const b = document.querySelector('.other-distro-toggle:not([hidden]) button'); const f = b.parentNode.nextElementSibling; return [b.getAttribute('aria-expanded'), String(f.getClientRects().length > 0), b.textContent]; })()`); st[0] != "true" || st[1] != "true" || !strings.HasPrefix(st[2], "Hide a step for ") {
				t.Errorf("after Show: %v; want expanded, the block shown, a Hide button", st)
			}
			if bad := eval[[]string](t, ctx, copyableJS); len(bad) > 0 {
				t.Errorf("RHEL, a Debian block shown: copy buttons offer other distros' commands as the reader's: %v", bad)
			}
			screenshot(t, ctx, base.name+"-08-rhel")
			if ps := consoleProblems(); len(ps) > 0 {
				t.Errorf("console errors:\n%s", strings.Join(ps, "\n"))
			}
		})
	}
}

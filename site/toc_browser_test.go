package site

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserPageTOC checks "On this page" at every width: in the phone's
// menu at 390 px (and its links close the menu), beside the chapters at
// 1000 px, and on the desktop the section being read is marked.
func TestBrowserPageTOC(t *testing.T) {
	chrome := chromiumPath(t)
	site := realSiteURL(t)
	page := site + "09-api-services.html"
	ctx, consoleProblems := newBrowser(t, chrome)
	shown := `Array.from(document.querySelectorAll('#sidebar .page-toc a')).filter(a => a.getClientRects().length > 0).length`
	entries := `document.querySelectorAll('aside.toc a').length`

	do(t, ctx, "phone size", chromedp.EmulateViewport(390, 844))
	open(t, ctx, page)
	n := eval[int](t, ctx, entries)
	if n < 10 {
		t.Fatalf("chapter 9 has %d entries on this page", n)
	}
	if h := eval[float64](t, ctx, `document.querySelector('.site-header').getBoundingClientRect().height`); h > 60 {
		t.Errorf("the phone's header is %.0fpx high: more than one row", h)
	}
	screenshot(t, ctx, "toc-phone")
	do(t, ctx, "open the menu", chromedp.Click(chromedp.CSS(".nav-toggle")))
	if n := eval[int](t, ctx, `['#distro-select', '#theme-toggle'].filter(s => document.querySelector(s).getClientRects().length > 0).length`); n != 2 {
		t.Errorf("the open menu shows %d of the distro picker and the theme toggle", n)
	}
	if got := eval[int](t, ctx, shown); got != n {
		t.Errorf("390px, menu open: %d entries of on this page shown, want %d", got, n)
	}
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the page is %dpx wide on a 390px phone", w)
	}
	screenshot(t, ctx, "toc-phone-menu")
	do(t, ctx, "mark the fifth entry", chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('#sidebar .page-toc a')[4].dataset.test = 'fifth'`))
	do(t, ctx, "click it", chromedp.Click(chromedp.CSS("[data-test=fifth]")))
	if st := eval[[]any](t, ctx, `[document.documentElement.classList.contains('nav-open'), location.hash === document.querySelector('[data-test=fifth]').getAttribute('href')]`); st[0] != false || st[1] != true {
		t.Errorf("after a click on an entry in the menu: menu open %v, at its section %v; want false, true", st[0], st[1])
	}

	do(t, ctx, "tablet size", chromedp.EmulateViewport(1000, 800))
	open(t, ctx, page)
	if got := eval[int](t, ctx, shown); got != n {
		t.Errorf("1000px: %d entries of on this page shown beside the chapters, want %d", got, n)
	}

	do(t, ctx, "desktop size", chromedp.EmulateViewport(1280, 900))
	open(t, ctx, page)
	if got := eval[int](t, ctx, shown); got != 0 {
		t.Errorf("1280px: the sidebar repeats %d entries of the contents column", got)
	}
	do(t, ctx, "scroll to the fourth section", chromedp.Evaluate[chromedp.Void](`document.getElementById(document.querySelectorAll('aside.toc a')[3].getAttribute('href').slice(1)).scrollIntoView()`))
	waitFor(t, ctx, "the fourth entry marked", `(() => { const c = document.querySelectorAll('aside.toc a[aria-current]'); return c.length === 1 && c[0] === document.querySelectorAll('aside.toc a')[3]; })()`)
	screenshot(t, ctx, "toc-desktop")
	if ps := consoleProblems(); len(ps) > 0 {
		t.Errorf("console errors:\n%v", ps)
	}
}

// TestBrowserCopyPlace checks that no copy button covers code: each sits
// in its block's caption or bar, above the code, at phone and desktop
// widths.
func TestBrowserCopyPlace(t *testing.T) {
	chrome := chromiumPath(t)
	site := realSiteURL(t)
	ctx, _ := newBrowser(t, chrome)
	for _, w := range []int64{390, 1280} {
		do(t, ctx, "size", chromedp.EmulateViewport(w, 900))
		for _, p := range []string{"09-api-services.html", "02-architecture.html"} {
			open(t, ctx, site+""+p)
			st := eval[[]int](t, ctx, `(() => {
  const bs = Array.from(document.querySelectorAll('figure.block button.copy')).filter(b => b.getClientRects().length > 0);
  const over = bs.filter(b => {
    const r = b.getBoundingClientRect(), c = b.closest('figure').querySelector('pre').getBoundingClientRect();
    return r.bottom > c.top && r.top < c.bottom && r.right > c.left && r.left < c.right;
  });
  return [bs.length, over.length];
})()`)
			if st[0] == 0 || st[1] != 0 {
				t.Errorf("%s at %dpx: %d copy buttons shown, %d over the code", p, w, st[0], st[1])
			}
		}
	}
	screenshot(t, ctx, "copy-place")
}

// TestBrowserFigureSize checks that chapter 2's figure links to its file
// (full size) and keeps a readable size on a 390 px phone, scrolling in
// its own box rather than the page.
func TestBrowserFigureSize(t *testing.T) {
	chrome := chromiumPath(t)
	site := realSiteURL(t)
	ctx, _ := newBrowser(t, chrome)
	do(t, ctx, "phone size", chromedp.EmulateViewport(390, 844))
	open(t, ctx, site+"02-architecture.html")
	waitFor(t, ctx, "the figure", `document.querySelector('article img').complete`)
	st := eval[[]any](t, ctx, `(() => { const i = document.querySelector('article img'); const a = i.closest('a'); return [a ? a.getAttribute('href') : '', i.getBoundingClientRect().width, document.documentElement.scrollWidth]; })()`)
	if st[0] != "figures/architecture.svg" {
		t.Errorf("the figure links to %q, want figures/architecture.svg", st[0])
	}
	if w := st[1].(float64); w < 600 {
		t.Errorf("the figure is %.0fpx wide on a phone: unreadable", w)
	}
	if w := st[2].(float64); w > 390 {
		t.Errorf("the page is %.0fpx wide on a 390px phone", w)
	}
}

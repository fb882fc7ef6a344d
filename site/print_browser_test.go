package site

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserPrint lays the print view out for paper (print media, the
// width of an A4 page less Chromium's default margins) and checks that no
// code block, table or other element is wider than the page: code wraps.
func TestBrowserPrint(t *testing.T) {
	chrome := chromiumPath(t)
	site := realSiteURL(t)
	ctx, _ := newBrowser(t, chrome)
	// A4 is 210 mm, 794 CSS px; Chromium's default margins are 0.4 in
	// (38 px) a side.
	const width = 794 - 2*38
	do(t, ctx, "A4 width", chromedp.EmulateViewport(width, 1123))
	do(t, ctx, "print media", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}))
	open(t, ctx, site+"print.html")
	st := eval[[]int](t, ctx, `(() => {
  const pres = Array.from(document.querySelectorAll('pre'));
  const wide = pres.filter(p => p.scrollWidth > p.clientWidth + 1 || p.getBoundingClientRect().right > window.innerWidth + 1);
  return [pres.length, wide.length, document.documentElement.scrollWidth];
})()`)
	if st[0] < 100 {
		t.Fatalf("the print view has %d code blocks", st[0])
	}
	if st[1] != 0 {
		t.Errorf("%d of %d code blocks are wider than an A4 page", st[1], st[0])
	}
	if st[2] > width {
		t.Errorf("the print view is %dpx wide on a %dpx page", st[2], width)
	}
	screenshot(t, ctx, "print-a4")
}

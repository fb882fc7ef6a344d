// Package site builds the guide's static site: every page of a loaded
// guide rendered by package render, laid out with html/template and the
// assets embedded in this package, written into a folder that works from
// file:// and from any static host, with no network.
//
// [Build] renders into memory ([Render]), then writes the files into a new
// folder beside the output folder and swaps it in (an atomic exchange of
// the two on Linux, two renames elsewhere), so that a reader or a server
// never sees half a site and a failed build leaves the last good one.
//
// What a built site holds:
//
//   - one HTML page per SUMMARY.md entry (index.html for the front page,
//     SLUG.html for each chapter) with the sidebar from SUMMARY.md,
//     previous/next links, breadcrumbs, the page's table of contents,
//     heading anchors and an "edit this page" link (settings source_url);
//   - print.html, the whole guide on one page (render.PrintPage);
//   - 404.html, sitemap.xml;
//   - assets/: site.css (light and dark, chroma's CSS for both), site.js
//     (theme, distro tabs, copy buttons, search), the search library and
//     search-index.js, the index built at build time, and
//     search-text/PAGE.js, the sections' texts for the snippets, by page;
//   - figures/: the guide's figures, SVG made from each figures/NAME.txt.
//
// The pages, the site's CSS and scripts and the SVG figures are served
// minified with tdewolff/minify (minify.go); the sources stay readable in
// the repository, and [Options].Readable keeps the pages as laid out.
//
// Everything is linked relatively, so the folder can be opened from disk
// or served under any path. The search index is a script, not JSON, so
// that it loads over file:// too (browsers refuse fetch there).
//
// The markup contract between render's HTML and this package's CSS and
// JavaScript is documented in package render. The layout adds:
//
//   - html.no-js, which site.js replaces with html.js at once; controls
//     that need the script (theme toggle, distro picker, copy buttons,
//     search) are hidden under .no-js;
//   - html[data-theme=light|dark] when the reader chose a theme; without it
//     prefers-color-scheme decides;
//   - html[data-distro=ID], the chosen distro, stored in localStorage
//     ("haguide-distro") and settable with ?distro=ID.
package site

package site

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"os"
	"path"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/haguide/haguide/distros"
	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/render"
	"github.com/haguide/haguide/render/codeblocks"
	"github.com/haguide/haguide/runs"
)

//go:embed assets templates
var embedded embed.FS

// searchIndexFormat names how the search index is made from its sections;
// it is part of the index's version, so change it with buildMiniIndex.
const searchIndexFormat = "MiniSearch serialization 2, haguide index 3 (terms packed, texts by page)"

// Chroma styles of the light and the dark theme, and the text colours
// site.css gives the two themes (--fg), for render.PlainClasses.
const (
	lightStyle = "github"
	darkStyle  = "github-dark"
	lightFG    = "#1f2328"
	darkFG     = "#e6edf3"
)

// renderOptions are the renderer's options for the site's themes.
func renderOptions() (render.Options, error) {
	plain, err := render.PlainClasses(lightStyle, darkStyle, lightFG, darkFG)
	if err != nil {
		return render.Options{}, fmt.Errorf("site: %w", err)
	}
	same, err := render.SameClasses(lightStyle, darkStyle)
	if err != nil {
		return render.Options{}, fmt.Errorf("site: %w", err)
	}
	return render.Options{PlainClasses: plain, SameClasses: same}, nil
}

// Options tune a build.
type Options struct {
	// BaseURL is the public URL of the site's folder
	// (https://example.org/ha-guide/). With it sitemap.xml lists absolute
	// URLs and 404.html links absolutely, so that it works at any path a
	// host serves it for; without it both are relative.
	BaseURL string
	// LiveReload is the URL path of a server-sent event stream that sends
	// "reload" after a rebuild (haguide serve); empty for a static build.
	LiveReload string
	// Version names the haguide that built the site, for the footer.
	Version string
	// Runs are the records of real runs by distro (package runs): with
	// them every chapter says, per distro, when it last passed, or that
	// it was never executed; nil for no such section.
	Runs map[string]*runs.Record
	// Readable leaves the HTML pages as the templates lay them out
	// (indented, every attribute quoted) instead of minified, for reading
	// the markup: the golden files and the tests of the layout's markup.
	// The figures and assets are minified either way.
	Readable bool
}

// Site is a built site in memory: every file by its slash path.
type Site struct {
	Files map[string][]byte
	// Pages are the HTML pages of the guide in reading order.
	Pages []string
	// SearchIndex is the size in bytes of the search index.
	SearchIndex int
}

// Size is the sum of the sizes of the site's files.
func (s *Site) Size() int {
	n := 0
	for _, b := range s.Files {
		n += len(b)
	}
	return n
}

// Load loads a guide and checks it: a guide with problems (broken links
// and anchors, unknown Installation Guide references, missing images, ...)
// is an error of type guide.Diagnostics, each with file:line:col. The site
// builds only from a guide that passes check.
func Load(fsys fs.FS) (*guide.Guide, error) {
	g, ds := guide.Check(fsys)
	if len(ds) > 0 {
		return g, ds
	}
	return g, nil
}

// Build loads the guide in fsys, renders it and writes the site into dir
// (see [Write]).
func Build(fsys fs.FS, dir string, opts Options) (*Site, error) {
	// A build allocates about 60 MB in well under a second and keeps 40:
	// collecting garbage at every doubling of the heap cost a tenth of its
	// CPU time. Collect at every fifth-fold instead, for the build only,
	// unless GOGC says otherwise.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	g, err := Load(fsys)
	if err != nil {
		return nil, err
	}
	s, err := Render(g, opts)
	if err != nil {
		return nil, err
	}
	if err := Write(s, dir); err != nil {
		return nil, err
	}
	return s, nil
}

// navItem is one entry of the sidebar, breadcrumbs or previous/next.
type navItem struct {
	Number int
	Title  string
	Href   string
	File   string
}

type distroInfo struct {
	ID, Name string
}

// siteData is what every page's layout shares.
type siteData struct {
	Title       string
	Release     string
	ReleaseName string
	Version     string
	Distros     []distroInfo
	DistroIDs   string
	NodeNames   string            // the guide's nodes, for the values form
	phTypes     map[string]string // each declared placeholder's type
	Nav         []navItem
	Assets      map[string]string // asset name -> href with version
	LiveReload  string
}

// pageData is one page for the layout.
type pageData struct {
	Site    *siteData
	Kind    string // page, print, 404
	Root    string // prefix of links to the site's root
	Title   string
	File    string
	Href    string
	Body    template.HTML
	TOC     []render.Heading
	Prev    *navItem
	Next    *navItem
	Crumbs  []navItem
	EditURL string
	// HasTabs is true when the page has distro tab groups.
	HasTabs bool
	// Canonical is the page's public URL, with Options.BaseURL.
	Canonical string
	// Uncovered are the notices for the distros the page does not cover.
	Uncovered []distroNotice
	// Chapters are the print view's pages.
	Chapters []printChapter
	// LastRuns say when the page last passed, per distro (Options.Runs).
	LastRuns []distroRuns
	// LastRunsID is the id of their heading.
	LastRunsID string
}

// distroNotice is what a page says to the reader of a distro it does not
// cover.
type distroNotice struct {
	ID, Text string
}

type printChapter struct {
	Slug  string
	Title string
	ID    string // the id of its h1 in the print view
	Body  template.HTML
}

// pageHref is the file a page is written to.
func pageHref(c *guide.Chapter) string {
	if c.Number == 0 && c.File == "index.md" {
		return "index.html"
	}
	return c.Slug + ".html"
}

// Render renders every page of a loaded guide and lays the site out in
// memory. Problems the renderer finds (an image without alt text, a
// documentation reference it cannot resolve) come back as
// guide.Diagnostics with file:line:col.
func Render(g *guide.Guide, opts Options) (*Site, error) {
	if g == nil || g.Settings == nil {
		return nil, errors.New("site: no guide")
	}
	pages := g.Pages()
	if len(pages) == 0 {
		return nil, errors.New("site: the guide has no pages")
	}
	tmpl, err := template.New("").Funcs(funcs).ParseFS(embedded, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("site: templates: %w", err)
	}
	sd, err := newSiteData(g, opts, pages)
	if err != nil {
		return nil, err
	}
	rendered, err := renderPages(g, pages)
	if err != nil {
		return nil, err
	}
	s := &Site{Files: map[string][]byte{}}
	// The assets before the layout, which links them with a content hash
	// for caching; the highlighting CSS has the classes the pages use.
	if err := addAssets(s, sd, usedClasses(rendered)); err != nil {
		return nil, err
	}
	index, err := startSearchIndex(s, sd, pages, rendered)
	if err != nil {
		return nil, err
	}
	// Returning early (a layout error): still wait, so that no goroutine
	// outlives the build.
	defer func() { _, _ = index() }()
	if err := layoutPages(s, tmpl, sd, g, pages, rendered, opts); err != nil {
		return nil, err
	}
	if err := layoutPrint(s, tmpl, sd, g, pages, rendered); err != nil {
		return nil, err
	}
	if err := layout404(s, tmpl, sd, opts); err != nil {
		return nil, err
	}
	s.Files["sitemap.xml"] = sitemap(opts.BaseURL, s.Pages)
	idx, err := index()
	if err != nil {
		return nil, err
	}
	s.Files["assets/search-index.js"] = idx
	s.SearchIndex = len(idx)
	if err := addFigures(g, s); err != nil {
		return nil, err
	}
	// The pages as a reader downloads them, checked below as written.
	if !opts.Readable {
		if err := minifyPages(s); err != nil {
			return nil, err
		}
	}
	s.Files[markerFile] = []byte("This folder is a site built by haguide build; haguide build replaces it whole.\n")
	if probs := CheckLinks(s.Files); len(probs) > 0 {
		return nil, fmt.Errorf("site: the built pages have broken links (a bug in haguide, not in the guide):\n%s", strings.Join(probs, "\n"))
	}
	return s, nil
}

// newSiteData is what every page's layout shares: titles, the distros
// and the sidebar (the assets come later).
func newSiteData(g *guide.Guide, opts Options, pages []*guide.Chapter) (*siteData, error) {
	sd := &siteData{
		Title:       siteTitle(g.Title),
		Release:     g.Settings.Release,
		ReleaseName: g.Settings.ReleaseName,
		Version:     opts.Version,
		LiveReload:  opts.LiveReload,
		Assets:      map[string]string{},
	}
	for _, id := range g.Settings.Distros {
		name := id
		if d, ok := distros.Lookup(id); ok {
			name = d.Name
		}
		sd.Distros = append(sd.Distros, distroInfo{ID: id, Name: name})
	}
	sd.DistroIDs = strings.Join(g.Settings.Distros, " ")
	sd.NodeNames = strings.Join(g.Settings.Nodes, " ")
	sd.phTypes = map[string]string{}
	for name := range g.Settings.Placeholders {
		if t, ok := g.Settings.ValueType(name); ok {
			sd.phTypes[name] = t.Name
		}
	}
	for _, c := range pages {
		sd.Nav = append(sd.Nav, navItem{Number: c.Number, Title: c.Title, Href: pageHref(c), File: c.File})
		if pageHref(c) == "index.html" && c != pages[0] {
			return nil, fmt.Errorf("site: %s would be written to index.html, which the front page uses", c.File)
		}
	}
	return sd, nil
}

// renderedPage is one page of the guide rendered for its own file and for
// the print view.
type renderedPage struct {
	page, print *render.Page
}

// renderPages renders every page and every print view, each its own job
// on every core, longest chapters first; the pages before the print
// views, which then find their blocks' highlighting in the renderer's
// cache rather than tokenising them again side by side.
func renderPages(g *guide.Guide, pages []*guide.Chapter) ([]renderedPage, error) {
	ropts, err := renderOptions()
	if err != nil {
		return nil, err
	}
	r := render.New(g, ropts)
	order := make([]int, len(pages))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(pages[order[a]].Source) > len(pages[order[b]].Source) })
	out := make([]renderedPage, len(pages))
	errs := make([]error, 2*len(pages)) // the pages', then the print views'
	forEach(2*len(pages), func(j int) {
		i := order[j%len(pages)]
		if j < len(pages) {
			out[i].page, errs[i] = r.Page(pages[i])
		} else {
			out[i].print, errs[len(pages)+i] = r.PrintPage(pages[i])
		}
	})
	for i := range pages {
		if errs[i] == nil {
			// The print view finds what the page finds; report it once.
			errs[i] = errs[len(pages)+i]
		}
	}
	return out, renderErrors(errs[:len(pages)])
}

// renderErrors are the renderer's errors as one: any error that is not
// a diagnostic, else every diagnostic, sorted.
func renderErrors(errs []error) error {
	var diags guide.Diagnostics
	var other []error
	for _, err := range errs {
		if err == nil {
			continue
		}
		for _, e := range unjoin(err) {
			var ds guide.Diagnostics
			if errors.As(e, &ds) {
				diags = append(diags, ds...)
			} else {
				other = append(other, e)
			}
		}
	}
	if len(other) > 0 {
		return errors.Join(other...)
	}
	if len(diags) > 0 {
		diags.Sort()
		return diags
	}
	return nil
}

// usedClasses are the chroma classes the pages use, sorted.
func usedClasses(rendered []renderedPage) []string {
	used := map[string]bool{}
	for _, rp := range rendered {
		for _, c := range rp.page.Classes {
			used[c] = true
		}
	}
	return slices.Sorted(maps.Keys(used))
}

// startSearchIndex adds the scripts of the sections' texts to the site
// and builds the search index from the pages' sections in the
// background, while the pages are laid out; it returns the function that
// waits for it (and may be called again). Its link's version is the hash
// of what it indexes (the same sections make the same index), so the
// layout need not wait for it.
func startSearchIndex(s *Site, sd *siteData, pages []*guide.Chapter, rendered []renderedPage) (func() ([]byte, error), error) {
	var docs []searchDoc
	for i, c := range pages {
		docs = append(docs, pageDocs(c, pageHref(c), rendered[i].page)...)
	}
	docsJSON, err := json.Marshal(docs)
	if err != nil {
		return nil, fmt.Errorf("site: search index: %w", err)
	}
	sd.Assets["search-index.js"] = "assets/search-index.js?v=" + version([]byte(searchIndexFormat), docsJSON, []byte(strings.Join(stopList, " ")))
	files, texts, err := searchTexts(docs)
	if err != nil {
		return nil, err
	}
	maps.Copy(s.Files, files)
	type built struct {
		idx []byte
		err error
	}
	ch := make(chan built, 1)
	go func() {
		idx, err := searchIndex(docs, texts)
		ch <- built{idx, err}
	}()
	return sync.OnceValues(func() ([]byte, error) {
		b := <-ch
		return b.idx, b.err
	}), nil
}

// layoutPages lays out the guide's pages, in reading order.
func layoutPages(s *Site, tmpl *template.Template, sd *siteData, g *guide.Guide, pages []*guide.Chapter, rendered []renderedPage, opts Options) error {
	for i := range pages {
		pd := pageLayout(sd, g, pages, i, rendered[i].page, opts)
		b, err := execute(tmpl, "page.html", pd)
		if err != nil {
			return err
		}
		s.Files[pd.Href] = b
		s.Pages = append(s.Pages, pd.Href)
		if i == 0 && pd.Href != "index.html" {
			// No front page: the first chapter is also the site's home.
			s.Files["index.html"] = b
		}
	}
	return nil
}

// layoutPrint lays out the whole guide on one page.
func layoutPrint(s *Site, tmpl *template.Template, sd *siteData, g *guide.Guide, pages []*guide.Chapter, rendered []renderedPage) error {
	pp := &pageData{Site: sd, Kind: "print", Title: g.Title, Href: "print.html"}
	for i, c := range pages {
		p := rendered[i].print
		pp.Chapters = append(pp.Chapters, printChapter{Slug: c.Slug, Title: p.Title, Body: p.HTML})
		pp.TOC = append(pp.TOC, render.Heading{Level: 2, ID: "chapter-" + c.Slug, Text: chapterLabel(c)})
	}
	b, err := execute(tmpl, "print.html", pp)
	if err != nil {
		return err
	}
	s.Files["print.html"] = b
	return nil
}

// layout404 lays out the page a host shows for a missing file.
func layout404(s *Site, tmpl *template.Template, sd *siteData, opts Options) error {
	nf := &pageData{Site: sd, Kind: "404", Title: "Page not found", Href: "404.html"}
	if opts.BaseURL != "" {
		nf.Root = strings.TrimSuffix(opts.BaseURL, "/") + "/"
	}
	b, err := execute(tmpl, "404.html", nf)
	if err != nil {
		return err
	}
	s.Files["404.html"] = b
	return nil
}

// pageLayout is what the layout shows around page i.
func pageLayout(sd *siteData, g *guide.Guide, pages []*guide.Chapter, i int, p *render.Page, opts Options) *pageData {
	c := pages[i]
	pd := &pageData{
		Site:    sd,
		Kind:    "page",
		Title:   p.Title,
		File:    c.File,
		Href:    pageHref(c),
		Body:    p.HTML,
		TOC:     p.TOC,
		HasTabs: p.HasTabs,
	}
	if i > 0 {
		pd.Prev = &sd.Nav[i-1]
	}
	if i+1 < len(pages) {
		pd.Next = &sd.Nav[i+1]
	}
	if i > 0 {
		pd.Crumbs = append(pd.Crumbs, sd.Nav[0])
	}
	pd.Crumbs = append(pd.Crumbs, sd.Nav[i])
	if opts.BaseURL != "" {
		pd.Canonical = strings.TrimSuffix(opts.BaseURL, "/") + "/" + pd.Href
	}
	if g.Settings.SourceURL != "" {
		pd.EditURL = strings.TrimSuffix(g.Settings.SourceURL, "/") + "/" + c.File
	}
	if c.Number > 0 {
		pd.Uncovered = uncovered(g, pages, c)
	}
	pd.LastRuns, pd.LastRunsID = lastRuns(g, c, p, opts.Runs), lastRunsID
	return pd
}

// uncovered says, for each distro a chapter does not cover (distro_scope
// in settings.toml), which chapters do and what the page shows instead;
// the script shows the notice of the distro chosen.
func uncovered(g *guide.Guide, pages []*guide.Chapter, c *guide.Chapter) []distroNotice {
	covered := g.Settings.DistrosFor(c.File)
	if len(covered) == 0 {
		return nil
	}
	var out []distroNotice
	for _, d := range g.Settings.Distros {
		if slices.Contains(covered, d) {
			continue
		}
		var nums []string
		for _, p := range pages {
			if p.Number > 0 && slices.Contains(g.Settings.DistrosFor(p.File), d) {
				nums = append(nums, strconv.Itoa(p.Number))
			}
		}
		name, first := codeblocks.DistroName(d), codeblocks.DistroName(covered[0])
		text := "This chapter does not cover " + name
		switch len(nums) {
		case 0:
		case 1:
			text += ": the guide covers it in chapter " + nums[0] + " only"
		default:
			text += ": the guide covers it in chapters " + strings.Join(nums[:len(nums)-1], ", ") + " and " + nums[len(nums)-1] + " only"
		}
		text += ". Where a step differs by distribution, " + first + "'s commands are shown, marked as such; none is written for " + name + "."
		out = append(out, distroNotice{ID: d, Text: text})
	}
	return out
}

// siteTitle is the guide's title from SUMMARY.md, unless that is the
// "Summary" heading mdBook's convention puts there.
func siteTitle(t string) string {
	if t == "" || strings.EqualFold(strings.TrimSpace(t), "summary") {
		return "OpenStack High Availability Guide"
	}
	return t
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func chapterLabel(c *guide.Chapter) string {
	if c.Number == 0 {
		return c.Title
	}
	return fmt.Sprintf("%d. %s", c.Number, c.Title)
}

var funcs = template.FuncMap{
	"label": func(n navItem) string {
		if n.Number == 0 {
			return n.Title
		}
		return fmt.Sprintf("%d. %s", n.Number, n.Title)
	},
}

func execute(t *template.Template, name string, data *pageData) ([]byte, error) {
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, data); err != nil {
		return nil, fmt.Errorf("site: %s: %w", data.Href, err)
	}
	return b.Bytes(), nil
}

// addAssets puts the embedded assets and the generated CSS (for the chroma
// classes the pages use) into the site, noting each one's versioned href.
func addAssets(s *Site, sd *siteData, classes []string) error {
	err := fs.WalkDir(embedded, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := embedded.ReadFile(p)
		if err != nil {
			return err
		}
		switch p {
		case "assets/site.css":
			b, err = minifyAsset(p, "text/css", b)
		case "assets/values.js":
			if b, err = valuesJS(b, sd.phTypes); err == nil {
				b, err = minifyAsset(p, "text/javascript", b)
			}
		case "assets/site.js", "assets/search.js":
			b, err = minifyAsset(p, "text/javascript", b)
		case "assets/favicon.svg":
			b, err = minifyAsset(p, "image/svg+xml", b)
		}
		s.Files[p] = b
		return err
	})
	if err != nil {
		return fmt.Errorf("site: assets: %w", err)
	}
	css, err := render.ChromaCSSFor(lightStyle, darkStyle, classes)
	if err != nil {
		return fmt.Errorf("site: %w", err)
	}
	if s.Files["assets/chroma.css"], err = minifyAsset("assets/chroma.css", "text/css", []byte(css)); err != nil {
		return fmt.Errorf("site: %w", err)
	}
	for p, b := range s.Files {
		if strings.HasPrefix(p, "assets/") {
			addAsset(s, sd, p, b)
		}
	}
	return nil
}

// valuesJS fills in what values.js (the values form) takes from the guide: the value types'
// forms (the messages of the values form; the checks are the script's,
// held equal to guide.ValueTypes by TestBrowserValueTypes), the type of
// each declared placeholder (for the vars files the form imports and
// exports), and the alphabet and length of generated secrets.
func valuesJS(b []byte, phTypes map[string]string) ([]byte, error) {
	type jsType struct {
		Form   string `json:"form"`
		Secret bool   `json:"secret,omitempty"`
	}
	types := map[string]jsType{}
	for _, t := range guide.ValueTypes {
		types[t.Name] = jsType{Form: t.Form, Secret: t.Secret}
	}
	tj, err := json.Marshal(types)
	if err != nil {
		return nil, err
	}
	pj, err := json.Marshal(phTypes)
	if err != nil {
		return nil, err
	}
	aj, _ := json.Marshal(guide.SecretAlphabet)
	js := string(b)
	for _, r := range [][2]string{
		{"{}/*haguide:types*/", string(tj)},
		{"{}/*haguide:placeholders*/", string(pj)},
		{"''/*haguide:alphabet*/", string(aj)},
		{"0/*haguide:secretlen*/", strconv.Itoa(guide.SecretLength)},
	} {
		if !strings.Contains(js, r[0]) {
			return nil, fmt.Errorf("values.js lacks %s", r[0])
		}
		js = strings.Replace(js, r[0], r[1], 1)
	}
	return []byte(js), nil
}

// addAsset puts an asset into the site and notes its href, versioned by
// its content so that a host's cache never serves an old one.
func addAsset(s *Site, sd *siteData, p string, b []byte) {
	s.Files[p] = b
	sd.Assets[strings.TrimPrefix(p, "assets/")] = p + "?v=" + version(b)
}

// version is the version in an asset's link: 8 hex digits of the SHA-256
// of what makes the asset.
func version(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil)[:4])
}

// addFigures copies the guide's figures: every file under figures/ and
// every image a page names, with figures/NAME.svg made from
// figures/NAME.txt where the guide keeps only the text source. SVG is
// minified.
func addFigures(g *guide.Guide, s *Site) error {
	if g.FS == nil {
		return nil
	}
	want := map[string]bool{}
	_ = fs.WalkDir(g.FS, "figures", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
			want[p] = true
			if path.Ext(p) == ".txt" {
				want[strings.TrimSuffix(p, ".txt")+".svg"] = true
			}
		}
		return nil
	})
	for _, c := range g.Pages() {
		for _, im := range c.Images {
			if im.Kind == guide.LinkInternal {
				want[path.Clean(im.Dest)] = true
			}
		}
	}
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !fs.ValidPath(n) {
			continue
		}
		b, err := fs.ReadFile(g.FS, n)
		if err != nil && path.Ext(n) == ".svg" {
			b, err = makeFigure(g.FS, n)
		} else if err != nil {
			err = fmt.Errorf("site: image %s: %w", n, err)
		}
		if err != nil {
			return err
		}
		if path.Ext(n) == ".svg" {
			if b, err = minifyAsset(n, "image/svg+xml", b); err != nil {
				return fmt.Errorf("site: %w", err)
			}
		}
		s.Files[n] = b
	}
	return nil
}

// makeFigure makes figures/NAME.svg from figures/NAME.txt.
func makeFigure(fsys fs.FS, name string) ([]byte, error) {
	srcName := strings.TrimSuffix(name, ".svg") + ".txt"
	src, err := fs.ReadFile(fsys, srcName)
	if err != nil {
		return nil, fmt.Errorf("site: image %s: no such file and no %s to make it from", name, srcName)
	}
	svg, err := render.Figure(src)
	if err != nil {
		return nil, fmt.Errorf("site: %s: %w", srcName, err)
	}
	return svg, nil
}

// sitemap lists the guide's pages (not the print view or 404.html).
func sitemap(base string, pages []string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	if base != "" {
		base = strings.TrimSuffix(base, "/") + "/"
	}
	for _, p := range pages {
		loc := base + p
		if p == "index.html" {
			loc = base
			if loc == "" {
				loc = "./"
			}
		}
		var esc bytes.Buffer
		template.HTMLEscape(&esc, []byte(loc))
		fmt.Fprintf(&b, "  <url><loc>%s</loc></url>\n", esc.String())
	}
	b.WriteString("</urlset>\n")
	return b.Bytes()
}

// Package render turns one page of the guide model (a chapter or the front
// page) into HTML.
//
// Markdown is parsed with the guide's own goldmark configuration
// ([guide.Markdown]), so the tree is the one the model was built from, and
// every feature is a goldmark extension of its own (an AST transformer plus
// node renderers), one concern per subpackage, the way Hugo keeps
// markup/goldmark:
//
//   - headings: ids equal to the model's section ids, self-links
//   - admonitions: GitHub's > [!NOTE], [!TIP], [!IMPORTANT], [!WARNING],
//     [!CAUTION]
//   - codeblocks: console, file and plain blocks mapped to the model's
//     blocks by the line of their fence; chroma highlighting with CSS
//     classes; where and how a block runs; what a copy button copies
//   - tabs: distro tab groups with the ARIA tabs pattern
//   - links: install:, install-guide: and docs: references resolved per
//     distro; chapter .md links made .html
//   - placeholders: declared and built-in placeholders marked as values to
//     replace, in prose, inline code and blocks
//
// Besides its HTML, a [Page] carries what one walk over its tree finds:
// the table of contents, the sections with the plain text a reader sees in
// each (for a search index, [Section]) and whether it has tab groups, so
// that nothing needs to read the HTML back. Plain text is
// [guide.PlainText]'s, the walk the guide model reads headings with.
//
// [ChromaCSS] writes the highlighting CSS for a light and a dark theme and
// [Figure] turns a text diagram (figures/NAME.txt) into SVG.
//
// # Markup the site styles and scripts
//
// No inline styles and no scripts are written; the site's CSS and
// JavaScript rely on these classes and attributes:
//
//   - Headings below the title: <div class="heading hN"><hN id="ID">…</hN>
//     <a class="anchor" href="#ID" aria-label="Permalink: …">#</a></div>.
//   - Blocks: <figure class="block console|file|plain [runs|norun|labonly]"
//     data-step="STEP-ID" data-distros="ubuntu debian"> (data-distros
//     only outside a tab group, whose panel says it), an optional
//     <figcaption> (no class: the block's only one; span.where, span.file with
//     span.file-mode and span.apply.apply-merge|apply-replace,
//     span.distros, span.badge.norun|labonly with span.reason,
//     span.timing), then pre.chroma (tabindex=0,
//     for keyboard scrolling) with a bare <code>.
//     Highlighting uses chroma's class names, except classes that look like
//     the text around them in both themes (Options.PlainClasses), which get
//     no span, and classes that look like another in both themes
//     (Options.SameClasses: s1, s2 as s, ...), written as that one, so
//     that neighbouring tokens share a span. Text is escaped for text content (&, <, >; not quotes).
//   - Console lines: span.cmd holding exactly one command's text
//     (span.cmd.user for a command with the prompt $), and
//     span.output (span.output.gap for a "..." line). The prompt
//     is not in the text: CSS draws it (pre .cmd::before), so selecting
//     or copying never takes it.
//   - Copy: render writes no button. The site's script adds one to each
//     block (in its caption, or a div.block-bar of its own) and copies the text of its span.cmd elements
//     joined by newlines (a console block: no prompts, no output), or else
//     the code's text without its final newlines; that is
//     codeblocks.CopyText of the block, which the tests check.
//   - Tab groups: div.tabs#tabs-N (SLUG--tabs-N in the print view)
//     holding div.tabpanel[data-distros], each starting with p.tab-label
//     naming its distros. Without JavaScript every panel shows with its
//     label, and there are no tabs. The script makes the tab list
//     (div.tablist[role=tablist] of button[role=tab], ids ID-tab-N and
//     ID-panel-N, aria-controls, aria-labelledby, role=tabpanel), hides
//     the labels, shows the panel whose data-distros holds the chosen
//     distro (the first panel when none does), and keeps aria-selected and
//     tabindex in step.
//   - Documentation links: a.doc-link[data-ref]; a.doc-link.per-distro
//     has href for the first distro and data-href-DISTRO for each distro
//     whose URL differs (only its last part when in href's directory):
//     the script sets href from the chosen distro.
//   - Placeholders: every use is <var [class="secret"]>NAME</var>; the
//     page ends with section.ph-list (heading h2#values_to_replace, the
//     last TOC entry) whose dl has, for each placeholder the page used, in
//     order of first use, <dt><var>NAME</var></dt> and
//     <dd id="ph-NAME">MEANING (for example …)</dd> (ids SLUG--… in the
//     print view). The script makes each use focusable, sets its
//     aria-describedby to its entry and shows the entry's text on hover
//     and focus. Page.Placeholders lists them.
//   - Admonitions: <div class="admonition note|tip|important|warning|caution"
//     role="note"><p class="admonition-title">Note</p>…</div>.
//   - External links have class "external".
package render

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
//     classes; where and how a block runs; copy buttons
//   - tabs: distro tab groups with the ARIA tabs pattern
//   - links: install:, install-guide: and docs: references resolved per
//     distro; chapter .md links made .html
//   - placeholders: declared and built-in placeholders marked as values to
//     replace, in prose, inline code and blocks
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
//     data-step="STEP-ID" data-distros="ubuntu debian">, an optional
//     <figcaption class="block-meta"> (span.where.where-KIND, span.file with
//     span.file-mode and span.apply.apply-merge|apply-replace,
//     span.distros, span.badge.norun|labonly with span.reason,
//     span.timing), then div.block-code holding pre.chroma (tabindex=0,
//     for keyboard scrolling) and a copy button.
//   - Console lines: span.line.cmd starting with
//     <span class="prompt" aria-hidden="true"># </span>, and
//     span.line.output (span.line.output.gap for a "..." line). CSS should
//     make prompts unselectable.
//   - Copy: <button type="button" class="copy" data-copy="TEXT"
//     aria-label="Copy the commands">Copy</button>; TEXT holds only the
//     commands (no prompts, no output; placeholders as written). The
//     script does the copying; without it the button does nothing, so the
//     site may hide it under a no-JS class.
//   - Tab groups: div.tabs[data-group][data-distros] holding
//     div.tablist[role=tablist][hidden] of button[role=tab][data-distros]
//     and div.tabpanel[role=tabpanel][data-distros], each panel starting
//     with p.tab-label naming its distros. Without JavaScript every panel
//     shows with its label. The script removes hidden from the tab list,
//     hides the labels, shows the panel whose data-distros holds the chosen
//     distro (the first panel when none does), and keeps aria-selected and
//     tabindex in step.
//   - Documentation links: a.doc-link[data-ref]; a.doc-link.per-distro also
//     has data-href-DISTRO for every distro, href being the first distro's
//     URL: the script sets href from the chosen distro.
//   - Placeholders: <var class="ph [secret] [builtin]" data-ph="NAME"
//     title="MEANING (for example …)" tabindex="0">NAME</var>; the title
//     shows on hover, and CSS can show it on focus (var.ph:focus::after {
//     content: attr(title) }).
//   - Admonitions: <div class="admonition note|tip|important|warning|caution"
//     role="note"><p class="admonition-title">Note</p>…</div>.
//   - External links have class "external".
package render

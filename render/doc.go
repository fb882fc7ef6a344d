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
//   - codeblocks: runnable, file and plain blocks; chroma highlighting with
//     CSS classes; where a block runs; copy buttons
//   - tabs: distro tab groups (the ARIA tabs pattern, every variant visible
//     and labelled without JavaScript)
//   - placeholders: declared placeholders marked as values to replace
//   - admonitions: GitHub's > [!NOTE] ... > [!CAUTION]
//   - links: install:, install-guide: and docs: references resolved per
//     distro; chapter .md links made .html
//
// [ChromaCSS] writes the highlighting CSS for a light and a dark theme and
// [Figure] turns a text diagram into SVG.
package render

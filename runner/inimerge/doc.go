// Package inimerge sets keys in ini-style files, the way an operator
// edits oslo.config files (keystone.conf, nova.conf ...) and MariaDB's
// option files (/etc/mysql/mariadb.conf.d/*.cnf, /etc/my.cnf.d/*.cnf) by
// hand: "in the [database] section, set connection = ...". It is what
// apply=merge does with a file block.
//
// [Merge] takes a file and a patch written as an ini file. For each key
// of the patch, in its section:
//
//   - a key the file already has in that section is replaced where it
//     stands, at its first occurrence; later occurrences in the section
//     are removed, so the patch's value is the only one. A key the patch
//     sets on several lines (a multi-valued oslo option such as
//     [pci] alias) replaces every value the file has, and its lines are
//     written together where the first value was;
//   - a missing key goes right after a commented-out setting of it in
//     that section ("#connection = <None>", "#bind-address=0.0.0.0",
//     "#skip-name-resolve"), which is where a reader editing the file
//     would put it; without one, after the section's last key line,
//     before the blank and comment lines that lead to the next section;
//     in a section without keys, right after its header;
//   - a missing section is appended at the end of the file, after a
//     blank line; a section in the patch without keys is added too.
//
// Keys before any section header belong to the global part (MariaDB's
// !include lines live there); a missing global key goes after the last
// global key, or at the very start of the file.
//
// Everything else stays byte for byte: comments, blank lines, the order
// of lines, other keys and their spacing, commented-out defaults, line
// ends (LF or CRLF; new lines get the file's first line end) and a byte
// order mark. The patch's own lines are written as the patch has them
// (less the indentation and trailing white space); its comments and
// blank lines are not written. The result ends with a line end.
//
// Lines are read as oslo.config reads them (its iniparser): "[name]" is a
// section, "#" and ";" start comments, a key is the text before the first
// "=" or ":" (key = value, key=value and key: value), a line without
// either is a key without a value (MariaDB's skip-name-resolve), and an
// indented line right after a key continues that key's value; a blank
// line ends it. A section that appears several times is one section.
//
// Keys and section names compare exactly, and the patch should spell
// them as the file does. What the exceptions of the two readers do to an
// exact comparison:
//
//   - MariaDB treats - and _ in option names alike and takes the last
//     line. A file's bind-address and a patch's bind_address stay two
//     lines, and a new key is always put after any line that spells it
//     the other way, so the patch's line is the last and wins. (Folding
//     the two would be wrong for oslo.config, which reads the current
//     name with underscores and a dashed one only as a deprecated
//     alias.) A file that already holds both spellings, the underscore
//     one first, keeps its later dashed line.
//   - oslo.config lower-cases section names other than DEFAULT. A patch
//     [database] for a file's [Database] adds a second section; oslo
//     reads the later value of a single-valued key, the patch's, but
//     adds up the values of a multi-valued one.
//
// A patch line that is neither a section header, a key, a comment nor
// blank is an *[Error] with its line number: "[name" without "]", "[]",
// "= value" without a key, a key with spaces in it ("connection mysql://"
// lacks its "="), or an indented line that no key precedes.
//
// Merging is idempotent: Merge(Merge(f, p), p) gives the bytes
// Merge(f, p) gave.
package inimerge

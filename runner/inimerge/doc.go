// Package inimerge sets keys in ini-style files, the way an operator
// edits oslo.config files (keystone.conf, nova.conf ...) and MariaDB's
// .cnf files by hand: "in the [database] section, set connection = ...".
//
// [Merge] takes a file and a patch written as an ini file. For each key
// of the patch, in its section:
//
//   - a key the file already has in that section is replaced where it
//     stands (its first occurrence; later occurrences of it in the
//     section are removed, so a key the patch repeats, a multi-valued
//     oslo option, ends up with exactly the patch's values, together);
//   - a missing key goes right after a commented-out default of it in
//     that section (`#connection = <None>`), as a reader would put it,
//     or else after the section's last key;
//   - a missing section is appended at the end of the file.
//
// Everything else (comments, blank lines, order, other keys, spacing)
// stays byte for byte. Keys and section names compare exactly (oslo is
// case-sensitive; MariaDB's equivalence of - and _ in option names is not
// applied, so a patch must spell a key as the file does). Keys before any
// section header belong to the unnamed global section. Indented lines
// after a key continue its value. Merging the same patch twice gives the
// same bytes as merging it once.
package inimerge

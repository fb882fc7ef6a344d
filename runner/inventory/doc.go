// Package inventory reads Ansible-style inventories, in INI or YAML form,
// and maps them onto the guide's node names.
//
// It understands hosts (with numeric and alphabetic ranges such as
// node[1:3]), groups and their children, the ungrouped group, host
// variables, [group:vars] and YAML vars, and the connection variables
// ansible_host, ansible_port, ansible_user, ansible_ssh_private_key_file,
// ansible_become and ansible_become_user (with their older ansible_ssh_*
// spellings). Variables merge with Ansible's precedence: the all group
// first, then groups by depth (a parent before its children; groups at the
// same depth by ansible_group_priority, then by name), then the host's own.
// Every value is the text written (YAML's 10.0, 0123 and yes stay as
// written, never a number or a boolean re-printed). The variables haguide
// reads, the connection variables and UPPER_SNAKE names such as the
// guide's placeholders, must be single values: a list, a mapping or
// nothing at all is an error at its line. Other variables' lists and
// mappings become JSON. Host.Origin tells where each variable is written.
//
// Problems are reported as *Error with file:line:col, at the mistake's own
// line (YAML is parsed with github.com/goccy/go-yaml, which knows it).
package inventory

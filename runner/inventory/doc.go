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
// Every value is kept as a string; YAML lists and mappings become JSON.
//
// Problems are reported as *Error with file:line:col.
package inventory

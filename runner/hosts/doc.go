// Package hosts reads Ansible-style inventories, INI or YAML, and maps
// them onto the guide's node names: hosts, groups (with children), host
// and group variables with Ansible's precedence (all, then parent groups,
// then child groups, then the host), and the connection variables
// ansible_host, ansible_port, ansible_user and
// ansible_ssh_private_key_file.
package hosts

// Package distros holds, as data, what differs between the Linux
// distributions the guide supports: their ids, os-release identifiers,
// family, package tool, and where the OpenStack Installation Guide keeps the
// pages for each of them.
//
// It is a leaf package: it imports nothing from the project.
package distros

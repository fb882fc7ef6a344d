// Package tlscert makes a private CA and a server certificate signed by
// it, as HAProxy reads them (one PEM bundle: the certificate, then its
// key), and checks such a bundle. The lab uses it for its public
// endpoints' certificate, the guide's configuration check for a stand-in
// where the guide names the reader's own.
package tlscert

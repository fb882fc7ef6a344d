// Package yamltext reads a YAML document as the text its author wrote:
// a scalar is the characters of the file (10.0 stays 10.0, 0123 stays
// 0123, yes stays yes), never a number or a boolean re-printed, and every
// node and every syntax error has the line and column where it is written.
//
// It wraps github.com/goccy/go-yaml's parser, which reports the position
// of the offending token (gopkg.in/yaml.v3, archived, often reported the
// line where the enclosing block began).
package yamltext

// Package namekey is the name key the directory and the packages beneath it (graph, hosts)
// compare names by, defined once so that all of them match a name alike.
package namekey

import (
	"slices"
	"strings"
)

// Fold is the exact-match key: lowercase and trimmed.
func Fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// AppendUnique appends v to xs unless it is empty or already there.
func AppendUnique(xs []string, v string) []string {
	if v == "" || slices.Contains(xs, v) {
		return xs
	}
	return append(xs, v)
}

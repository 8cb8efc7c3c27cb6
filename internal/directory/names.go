package directory

import (
	"strings"
	"unicode"
)

// nameSuffixes are dropped when normalising names: "checkout-api", "Checkout Service" and
// "checkout-prod" all normalise to "checkout".
var nameSuffixes = []string{"api", "svc", "service", "prod", "production", "app"}

// Normalize lowercases a name, turns punctuation and spaces into single dashes and drops
// common suffixes, so names from different systems can be compared.
func Normalize(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	parts := strings.Split(strings.Trim(b.String(), "-"), "-")
	for len(parts) > 1 {
		last := parts[len(parts)-1]
		drop := false
		for _, suf := range nameSuffixes {
			if last == suf {
				drop = true
				break
			}
		}
		if !drop {
			break
		}
		parts = parts[:len(parts)-1]
	}
	return strings.Join(parts, "-")
}

// Fold is the exact-match key: lowercase and trimmed.
func Fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// distance is the Levenshtein edit distance between a and b, used for suggestions.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// TeamKey compares team names across sources: "team-checkout", "Checkout team" and
// "Checkout" are the same team; "Checkout Support" is not.
func TeamKey(name string) string {
	var parts []string
	for _, p := range strings.Split(Normalize(name), "-") {
		if p != "team" && p != "squad" && p != "group" && p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "-")
}

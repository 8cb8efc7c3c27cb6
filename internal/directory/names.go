package directory

import (
	"strings"
	"unicode"

	"github.com/opsctx/opsctx/internal/directory/namekey"
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

// Fold is the exact-match key: lowercase and trimmed (namekey.Fold, which the packages
// beneath use too).
func Fold(s string) string { return namekey.Fold(s) }

// distanceRows are the two rows distanceRows.within works in, kept between calls.
type distanceRows struct{ prev, cur []int }

// distanceWithin is the Levenshtein edit distance between a and b when it is at most k, and
// k+1 otherwise.
func distanceWithin(a, b []rune, k int) int {
	var r distanceRows
	return r.within(a, b, k)
}

// within is distanceWithin in r's rows. It computes only the band of cells within k of the
// diagonal and stops as soon as every cell of a row exceeds k, so it costs O(k·len(a)) at
// most and allocates only when b is longer than any before.
func (r *distanceRows) within(a, b []rune, k int) int {
	if k < 0 {
		return 0
	}
	if abs(len(a)-len(b)) > k {
		return k + 1
	}
	out := k + 1 // stands for "more than k" in every cell outside the band
	if cap(r.prev) < len(b)+1 {
		r.prev, r.cur = make([]int, len(b)+1), make([]int, len(b)+1)
	}
	prev, cur := r.prev[:len(b)+1], r.cur[:len(b)+1]
	for j := range prev {
		prev[j] = min(j, out)
	}
	for i := 1; i <= len(a); i++ {
		lo, hi := max(1, i-k), min(len(b), i+k)
		cur[lo-1] = out
		if lo == 1 {
			cur[0] = min(i, out)
		}
		rowMin := cur[lo-1]
		for j := lo; j <= hi; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost, out)
			rowMin = min(rowMin, cur[j])
		}
		if hi < len(b) {
			cur[hi+1] = out
		}
		if rowMin > k {
			return out
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
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

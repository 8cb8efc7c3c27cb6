// Package sanitize neutralises untrusted upstream text (alert descriptions, change titles)
// before it reaches an answer: it is data, never instructions.
package sanitize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultMax is the default cap, in runes, for one upstream text field.
const DefaultMax = 300

// Text strips control, invisible and bidirectional-override characters, folds runs of
// whitespace (including newlines, so text cannot fake structure) into single spaces and
// caps the length at max runes (DefaultMax when max <= 0), marking a cut with "…".
func Text(s string, max int) string {
	if max <= 0 {
		max = DefaultMax
	}
	if clean(s, max) {
		return s // most upstream text: nothing to change, nothing to allocate
	}
	return text(s, max)
}

// clean reports text that Text would return unchanged: printable ASCII with single inner
// spaces, within max.
func clean(s string, max int) bool {
	if len(s) > max || len(s) == 0 || s[0] == ' ' || s[len(s)-1] == ' ' {
		return len(s) == 0
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c > '~' || c == ' ' && s[i+1] == ' ' {
			return false
		}
	}
	return true
}

// text is Text without the shortcut for clean text.
func text(s string, max int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	var b strings.Builder
	b.Grow(min(len(s), max*4))
	n := 0
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			if !space && b.Len() > 0 {
				space = true
			}
			continue
		}
		if drop(r) {
			continue
		}
		if space {
			if n >= max {
				break
			}
			b.WriteByte(' ')
			n++
			space = false
		}
		if n >= max {
			b.WriteString("…")
			return b.String()
		}
		b.WriteRune(r)
		n++
	}
	if n >= max && b.Len() < len(s) {
		b.WriteString("…")
	}
	return b.String()
}

// drop reports characters that must never pass: controls, format characters (zero-width,
// BiDi embeddings, overrides and isolates), private use and unassigned code points.
func drop(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case unicode.Is(unicode.Cf, r): // format: ZWSP, ZWJ, LRE/RLE/PDF/LRO/RLO, LRI/RLI/FSI/PDI, BOM
		return true
	case unicode.Is(unicode.Co, r), r == utf8.RuneError:
		return true
	case r >= 0xE0000 && r <= 0xE007F: // tag characters
		return true
	}
	return false
}

// Short is Text with a tighter cap, for titles and names.
func Short(s string) string { return Text(s, 160) }

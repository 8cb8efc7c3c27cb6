package sanitize

import "strings"

// Inline neutralises the markdown and HTML an upstream string could use to change the
// structure of an answer it is quoted in (after Text, which has folded the newlines away):
// a leading block marker ("# ", ">", "|", "- ", "1. ", "---", "~~~"...) is escaped with a backslash, a tag start
// "<x" becomes "‹x", a link or image "](" becomes "] (" and "![" becomes "! [", and
// backticks become apostrophes, so no code span or fence can open. Plain text passes
// without a copy.
func Inline(s string) string {
	if !blockStart(s) && !strings.ContainsAny(s, "<]!`") || !blockStart(s) && !inlineMarkup(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	if blockStart(s) {
		b.WriteByte('\\')
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '`':
			b.WriteByte('\'')
			continue
		case c == '<' && i+1 < len(s) && tagStart(s[i+1]):
			b.WriteString("‹")
			continue
		}
		b.WriteByte(c)
		switch {
		case c == ']' && i+1 < len(s) && s[i+1] == '(':
			b.WriteByte(' ')
		case c == '!' && i+1 < len(s) && s[i+1] == '[':
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// inlineMarkup reports a backtick, a tag start, a link's "](" or an image's "![" in s.
func inlineMarkup(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '`':
			return true
		case i+1 == len(s):
		case c == '<' && tagStart(s[i+1]), c == ']' && s[i+1] == '(', c == '!' && s[i+1] == '[':
			return true
		}
	}
	return false
}

// blockStart reports a string that would open a markdown block at the start of a line: an
// ATX heading ("# x"), a quote, a table row, a list item ("- x", "1. x"), a thematic break
// or setext underline ("---", "==="), a fence ("~~~"). "-1", "#tag" or "2.5" do not.
func blockStart(s string) bool {
	if s == "" {
		return false
	}
	after := func(i int) bool { return i >= len(s) || s[i] == ' ' } // the marker ends there
	switch c := s[0]; c {
	case '>', '|':
		return true
	case '#':
		i := strings.IndexFunc(s, func(r rune) bool { return r != '#' })
		return i < 0 || i <= 6 && s[i] == ' '
	case '-', '+', '*', '=', '~', '_':
		if after(1) && c != '=' && c != '~' && c != '_' {
			return true // a list item
		}
		return len(s) >= 3 && s[1] == c && s[2] == c // a break, an underline, a fence
	}
	i := 0
	for i < len(s) && i < 10 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i > 0 && i < len(s) && (s[i] == '.' || s[i] == ')') && after(i+1)
}

// tagStart reports a byte that, after "<", opens HTML: a letter, "/", "!" or "?".
func tagStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '!' || c == '?'
}

// Link keeps an upstream link only when it is http or https, with the characters markdown
// would read in it (spaces, quotes, brackets, angle brackets, backticks, pipes) percent-encoded.
func Link(s string) string {
	low := strings.ToLower(s)
	if !strings.HasPrefix(low, "https://") && !strings.HasPrefix(low, "http://") {
		return ""
	}
	return linkEscaper.Replace(s)
}

var linkEscaper = strings.NewReplacer(" ", "%20", `"`, "%22", "<", "%3C", ">", "%3E", "[", "%5B", "]", "%5D",
	"`", "%60", "|", "%7C", "(", "%28", ")", "%29")

// Quoted is upstream text that did not come through Record, as an answer shows it: a query or
// matcher (kept as written in the model, for evaluation) or a source's error. Text within max,
// then Inline.
func Quoted(s string, max int) string { return Inline(Text(s, max)) }

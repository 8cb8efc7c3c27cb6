package alertmanager

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// matcher is a parsed label matcher.
type matcher struct {
	name  string
	value string
	equal bool
	re    *regexp.Regexp // nil: exact
}

var matcherSyntax = regexp.MustCompile(`^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$`)

// parseMatcher parses name=value, name!="value", name=~"re", name!~re (as ?filter= takes).
func parseMatcher(s string) (matcher, error) {
	m := matcherSyntax.FindStringSubmatch(strings.Trim(strings.TrimSpace(s), "{}"))
	if m == nil {
		return matcher{}, fmt.Errorf("bad matcher format: %s", s)
	}
	v := m[3]
	if strings.HasPrefix(v, `"`) {
		u, err := strconv.Unquote(v)
		if err != nil {
			return matcher{}, fmt.Errorf("bad matcher format: %s", s)
		}
		v = u
	}
	return newMatcher(m[1], v, !strings.HasPrefix(m[2], "!"), strings.HasSuffix(m[2], "~"))
}

func newMatcher(name, value string, equal, isRegex bool) (matcher, error) {
	mt := matcher{name: name, value: value, equal: equal}
	if isRegex {
		re, err := regexp.Compile("^(?:" + value + ")$")
		if err != nil {
			return matcher{}, fmt.Errorf("error parsing regexp: %v", err)
		}
		mt.re = re
	}
	return mt, nil
}

func (m matcher) matches(labels map[string]string) bool {
	v := labels[m.name]
	ok := v == m.value
	if m.re != nil {
		ok = m.re.MatchString(v)
	}
	return ok == m.equal
}

func matchAll(ms []matcher, labels map[string]string) bool {
	for _, m := range ms {
		if !m.matches(labels) {
			return false
		}
	}
	return true
}

// silenceMatchers compiles a silence's matchers.
func silenceMatchers(sil Silence) ([]matcher, error) {
	var out []matcher
	for _, m := range sil.Matchers {
		eq := m.IsEqual == nil || *m.IsEqual
		mt, err := newMatcher(m.Name, m.Value, eq, m.IsRegex)
		if err != nil {
			return nil, err
		}
		out = append(out, mt)
	}
	return out, nil
}

// Fingerprint is Alertmanager's alert fingerprint: FNV-1a 64 over the sorted label names
// and values, each followed by the separator byte 0xff, as 16 hex digits.
func Fingerprint(labels map[string]string) string {
	names := make([]string, 0, len(labels))
	for k := range labels {
		names = append(names, k)
	}
	sort.Strings(names)
	h := uint64(14695981039346656037)
	add := func(s string) {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
		h ^= 0xff
		h *= 1099511628211
	}
	for _, n := range names {
		add(n)
		add(labels[n])
	}
	return fmt.Sprintf("%016x", h)
}

func silenceID(n int) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", n, n)
}

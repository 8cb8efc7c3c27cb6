package alertmanager

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/opsctx/opsctx/internal/model"
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

// Fingerprint is Alertmanager's alert fingerprint.
func Fingerprint(labels map[string]string) string { return model.LabelsFingerprint(labels) }

func silenceID(n int) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", n, n)
}

package config

import (
	"errors"
	"strings"
)

// expandVars replaces ${NAME} with getenv(NAME) and $$ with a literal $. Any other $
// is kept as is. It returns the expanded string and the referenced names in order of
// appearance. Errors never quote s, which may hold a literal secret.
func expandVars(s string, getenv func(string) string) (string, []string, error) {
	if !strings.Contains(s, "$") {
		return s, nil, nil
	}
	var b strings.Builder
	var names []string
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return "", nil, errors.New(`unterminated "${": close it with "}", or write "$$" for a literal "$"`)
			}
			name := s[i+2 : i+2+end]
			if !validVarName(name) {
				return "", nil, errors.New(`invalid variable name in "${...}": use letters, digits and underscores, or write "$$" for a literal "$"`)
			}
			names = append(names, name)
			b.WriteString(getenv(name))
			i += 2 + end
		default:
			b.WriteByte('$')
		}
	}
	return b.String(), names, nil
}

func validVarName(name string) bool {
	if name == "" {
		return false
	}
	for i, r := range name {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// secretLikeName reports whether an environment variable name suggests a credential.
func secretLikeName(name string) bool {
	n := strings.ToUpper(name)
	for _, w := range []string{"TOKEN", "PASSWORD", "PASSWD", "SECRET", "KEY", "CREDENTIAL", "AUTH"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

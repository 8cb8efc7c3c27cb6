// Package alertquery parses the subset of Opsgenie's alert search syntax that the Opsgenie
// and Jira Service Management Operations fakes understand (JSM Operations inherited the
// syntax with Opsgenie's alerts): field:value terms (value may be quoted and may contain
// ':', as in tag:service:checkout), AND, OR, NOT, parentheses, and implicit AND between
// terms. Fields: status, tag/tags, entity, alias, tinyId, priority, message (substring),
// source, owner, teams, acknowledged, isSeen, snoozed. Values compare case-insensitively.
package alertquery

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Fields returns an alert's values of a field, named in lower case ("tags" for tag and
// tags, "tinyid", "isseen"; booleans as "true"/"false").
type Fields func(name string) []string

// Query is a parsed search.
type Query interface {
	// Match reports whether the alert with these fields matches.
	Match(f Fields) bool
}

type (
	all   struct{}
	and   []Query
	or    []Query
	not   struct{ q Query }
	field struct{ name, value string }
)

func (all) Match(Fields) bool { return true }

func (q and) Match(f Fields) bool {
	for _, x := range q {
		if !x.Match(f) {
			return false
		}
	}
	return true
}

func (q or) Match(f Fields) bool {
	for _, x := range q {
		if x.Match(f) {
			return true
		}
	}
	return false
}

func (q not) Match(f Fields) bool { return !q.q.Match(f) }

func (t field) Match(f Fields) bool {
	name := t.name
	if name == "tag" {
		name = "tags"
	}
	return slices.ContainsFunc(f(name), func(s string) bool {
		if name == "message" {
			return strings.Contains(strings.ToLower(s), strings.ToLower(t.value))
		}
		return strings.EqualFold(s, t.value)
	})
}

var knownFields = []string{"status", "tag", "tags", "entity", "alias", "tinyid", "priority", "message", "source", "owner",
	"teams", "acknowledged", "isseen", "snoozed"}

// Parse parses a search query; the empty query matches everything.
func Parse(s string) (Query, error) {
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return all{}, nil
	}
	p := &parser{toks: toks}
	q, err := p.or()
	if err == nil && p.i < len(p.toks) {
		err = fmt.Errorf("unexpected %q", p.toks[p.i])
	}
	return q, err
}

// tokenize splits on spaces and parentheses, keeping quoted strings (quotes removed) whole.
func tokenize(s string) ([]string, error) {
	var toks []string
	var cur strings.Builder
	quoted := false
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
			cur.WriteRune(r)
		case r == ' ' || r == '\t' || r == '\n':
			flush()
		case r == '(' || r == ')':
			flush()
			toks = append(toks, string(r))
		default:
			cur.WriteRune(r)
		}
	}
	if quoted {
		return nil, errors.New("unterminated quote")
	}
	flush()
	// Join "field:" "value" written with a space after the colon.
	var out []string
	for i := 0; i < len(toks); i++ {
		if strings.HasSuffix(toks[i], ":") && i+1 < len(toks) && toks[i+1] != "(" && toks[i+1] != ")" {
			out = append(out, toks[i]+toks[i+1])
			i++
			continue
		}
		out = append(out, toks[i])
	}
	return out, nil
}

type parser struct {
	toks []string
	i    int
}

func (p *parser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *parser) or() (Query, error) {
	q, err := p.and()
	if err != nil {
		return nil, err
	}
	out := or{q}
	for p.peek() == "OR" {
		p.i++
		q, err := p.and()
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	if len(out) == 1 {
		return out[0], nil
	}
	return out, nil
}

func (p *parser) and() (Query, error) {
	q, err := p.unary()
	if err != nil {
		return nil, err
	}
	out := and{q}
	for {
		switch t := p.peek(); {
		case t == "AND":
			p.i++
		case t == "" || t == "OR" || t == ")":
			if len(out) == 1 {
				return out[0], nil
			}
			return out, nil
		}
		q, err := p.unary()
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
}

func (p *parser) unary() (Query, error) {
	switch t := p.peek(); t {
	case "NOT":
		p.i++
		q, err := p.unary()
		return not{q}, err
	case "(":
		p.i++
		q, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, errors.New("missing )")
		}
		p.i++
		return q, nil
	case "", ")", "AND", "OR":
		return nil, fmt.Errorf("expected a term, got %q", t)
	default:
		p.i++
		name, value, ok := strings.Cut(t, ":")
		name = strings.ToLower(name)
		if !ok || value == "" || !slices.Contains(knownFields, name) {
			return nil, fmt.Errorf("bad term %q", t)
		}
		return field{name: name, value: value}, nil
	}
}

package opsgenie

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The subset of Opsgenie's alert search syntax the fake understands: field:value terms
// (value may be quoted and may contain ':', as in tag:service:checkout), AND, OR, NOT,
// parentheses, and implicit AND between terms. Fields: status (open/closed), tag/tags,
// entity, alias, tinyId, priority, message (substring), source, owner, teams,
// acknowledged, isSeen, snoozed. Values compare case-insensitively.
type query interface {
	match(a Alert, teams []string) bool
}

type (
	all   struct{}
	and   []query
	or    []query
	not   struct{ q query }
	field struct{ name, value string }
)

func (all) match(Alert, []string) bool { return true }

func (q and) match(a Alert, teams []string) bool {
	for _, x := range q {
		if !x.match(a, teams) {
			return false
		}
	}
	return true
}

func (q or) match(a Alert, teams []string) bool {
	for _, x := range q {
		if x.match(a, teams) {
			return true
		}
	}
	return false
}

func (q not) match(a Alert, teams []string) bool { return !q.q.match(a, teams) }

func (f field) match(a Alert, teams []string) bool {
	eq := func(s string) bool { return strings.EqualFold(s, f.value) }
	anyEq := func(xs []string) bool { return slices.ContainsFunc(xs, eq) }
	boolean := func(b bool) bool { return eq(fmt.Sprint(b)) }
	switch f.name {
	case "status":
		return eq(a.Status)
	case "tag", "tags":
		return anyEq(a.Tags)
	case "entity":
		return eq(a.Entity)
	case "alias":
		return eq(a.Alias)
	case "tinyid":
		return eq(a.TinyID)
	case "priority":
		return eq(a.Priority)
	case "message":
		return strings.Contains(strings.ToLower(a.Message), strings.ToLower(f.value))
	case "source":
		return eq(a.Source)
	case "owner":
		return eq(a.Owner)
	case "teams":
		return anyEq(teams)
	case "acknowledged":
		return boolean(a.Acknowledged)
	case "isseen":
		return boolean(a.IsSeen)
	case "snoozed":
		return boolean(a.Snoozed)
	}
	return false
}

var knownFields = []string{"status", "tag", "tags", "entity", "alias", "tinyid", "priority", "message", "source", "owner",
	"teams", "acknowledged", "isseen", "snoozed"}

// parseQuery parses a search query; the empty query matches everything.
func parseQuery(s string) (query, error) {
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

func (p *parser) or() (query, error) {
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

func (p *parser) and() (query, error) {
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

func (p *parser) unary() (query, error) {
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

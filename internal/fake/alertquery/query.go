// Package alertquery parses Opsgenie's alert search syntax for the Opsgenie and Jira Service
// Management Operations fakes (JSM Operations inherited the syntax with Opsgenie's alerts), as
// Opsgenie's "Search queries for alerts" help documents it and no more leniently:
//
//	field:value, field: value      exact match (case-insensitive), value a bare word or a "phrase"
//	field < n, <=, >, >=           comparison, for createdAt, lastOccurredAt, snoozedUntil
//	                               (epoch milliseconds), count and tinyId
//	field: (v1 OR v2), (v1 AND v2) several values of one field
//	AND, OR, NOT, ( )              logic (operators in capitals); terms side by side are ANDed
//
// A bare value is letters, digits and _ . - @ / # only: a value holding anything else, such as
// the colon of tag:service:checkout, must be quoted (tag:"service:checkout", the form the
// Backstage Opsgenie plugin documents); inside quotes \" and \\ escape. Fields: status, tag,
// tags, entity, alias, alertId, tinyId, priority, message (substring), source, owner, teams,
// acknowledged, isSeen, snoozed, count, createdAt, lastOccurredAt, snoozedUntil, details.key,
// details.value. Anything else is an error (the fakes answer 422 "Invalid query").
package alertquery

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Fields returns an alert's values of a field, named in lower case ("tags" for tag and tags,
// "tinyid", "isseen"; booleans as "true"/"false"; times as epoch milliseconds).
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
	field struct{ name, op, value string }
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
	want, _ := strconv.ParseInt(t.value, 10, 64)
	return slices.ContainsFunc(f(name), func(s string) bool {
		switch t.op {
		case ":":
			if name == "message" {
				return strings.Contains(strings.ToLower(s), strings.ToLower(t.value))
			}
			return strings.EqualFold(s, t.value)
		}
		n, err := strconv.ParseInt(s, 10, 64)
		switch {
		case err != nil:
			return false
		case t.op == "<":
			return n < want
		case t.op == "<=":
			return n <= want
		case t.op == ">":
			return n > want
		}
		return n >= want
	})
}

var (
	knownFields = []string{"status", "tag", "tags", "entity", "alias", "alertid", "tinyid", "priority", "message", "source",
		"owner", "teams", "acknowledged", "isseen", "snoozed", "count", "createdat", "lastoccurredat", "snoozeduntil",
		"details.key", "details.value"}
	comparable = []string{"createdat", "lastoccurredat", "snoozeduntil", "count", "tinyid"}
)

// token kinds of the lexer.
const (
	tEnd    = iota // past the last token
	tWord          // a bare word: field name, value or operator
	tPhrase        // a "quoted phrase"
	tColon         // :
	tCmp           // < <= > >=
	tOpen          // (
	tClose         // )
)

type token struct {
	kind int
	text string
}

// Parse parses a search query; the empty query matches everything.
func Parse(s string) (Query, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return all{}, nil
	}
	p := &parser{toks: toks}
	q, err := p.or()
	if err == nil && p.i < len(p.toks) {
		err = fmt.Errorf("unexpected %q", p.toks[p.i].text)
	}
	return q, err
}

// bareRune reports whether r may appear in a bare word.
func bareRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_.-@/#", r)
}

// lex splits a query into words, phrases, colons, comparisons and parentheses.
func lex(s string) ([]token, error) {
	var out []token
	rs := []rune(s)
	for i := 0; i < len(rs); {
		switch r := rs[i]; {
		case r == ' ' || r == '\t' || r == '\n':
			i++
		case r == '(':
			out, i = append(out, token{tOpen, "("}), i+1
		case r == ')':
			out, i = append(out, token{tClose, ")"}), i+1
		case r == ':':
			out, i = append(out, token{tColon, ":"}), i+1
		case r == '<' || r == '>':
			op := string(r)
			if i+1 < len(rs) && rs[i+1] == '=' {
				op += "="
			}
			out, i = append(out, token{tCmp, op}), i+len(op)
		case r == '"':
			var b strings.Builder
			for i++; i < len(rs) && rs[i] != '"'; i++ {
				if rs[i] == '\\' && i+1 < len(rs) {
					i++
				}
				b.WriteRune(rs[i])
			}
			if i == len(rs) {
				return nil, errors.New("unterminated quote")
			}
			out, i = append(out, token{tPhrase, b.String()}), i+1
		case bareRune(r):
			j := i
			for j < len(rs) && bareRune(rs[j]) {
				j++
			}
			out, i = append(out, token{tWord, string(rs[i:j])}), j
		default:
			return nil, fmt.Errorf("unexpected character %q: quote values that hold it", r)
		}
	}
	return out, nil
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return token{kind: tEnd}
}

// isWord reports whether the next token is the bare word w.
func (p *parser) isWord(w string) bool { t := p.peek(); return t.kind == tWord && t.text == w }

func (p *parser) or() (Query, error) {
	return p.chain("OR", p.and, func(qs []Query) Query { return or(qs) })
}

func (p *parser) and() (Query, error) {
	q, err := p.unary()
	if err != nil {
		return nil, err
	}
	out := and{q}
	for {
		switch t := p.peek(); {
		case p.isWord("AND"):
			p.i++
		case t.kind == tEnd || t.kind == tClose || p.isWord("OR"):
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

// chain parses next (sep next)*, joining two or more with join.
func (p *parser) chain(sep string, next func() (Query, error), join func([]Query) Query) (Query, error) {
	q, err := next()
	if err != nil {
		return nil, err
	}
	qs := []Query{q}
	for p.isWord(sep) {
		p.i++
		q, err := next()
		if err != nil {
			return nil, err
		}
		qs = append(qs, q)
	}
	if len(qs) == 1 {
		return qs[0], nil
	}
	return join(qs), nil
}

// closing consumes the ) that ends a group.
func (p *parser) closing(q Query, err error) (Query, error) {
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tClose {
		return nil, errors.New("missing )")
	}
	p.i++
	return q, nil
}

func (p *parser) unary() (Query, error) {
	t := p.peek()
	switch {
	case p.isWord("NOT"):
		p.i++
		q, err := p.unary()
		return not{q}, err
	case t.kind == tOpen:
		p.i++
		return p.closing(p.or())
	case t.kind != tWord || p.isWord("AND") || p.isWord("OR"):
		return nil, fmt.Errorf("expected a term, got %q", t.text)
	}
	p.i++
	name := strings.ToLower(t.text)
	if !slices.Contains(knownFields, name) {
		return nil, fmt.Errorf("unknown field %q", t.text)
	}
	switch op := p.peek(); op.kind {
	case tColon:
		p.i++
		return p.values(name)
	case tCmp:
		p.i++
		v := p.peek()
		if _, err := strconv.ParseInt(v.text, 10, 64); v.kind != tWord || err != nil || !slices.Contains(comparable, name) {
			return nil, fmt.Errorf("%s %s needs a numeric field and a number", t.text, op.text)
		}
		p.i++
		return field{name: name, op: op.text, value: v.text}, nil
	}
	return nil, fmt.Errorf("expected : after %q", t.text)
}

// values parses what follows "field:": a value, or a parenthesised AND/OR of values.
func (p *parser) values(name string) (Query, error) {
	t := p.peek()
	switch {
	case t.kind == tOpen:
		p.i++
		value := func() (Query, error) { return p.value(name) }
		andValues := func() (Query, error) { return p.chain("AND", value, func(qs []Query) Query { return and(qs) }) }
		return p.closing(p.chain("OR", andValues, func(qs []Query) Query { return or(qs) }))
	case t.kind == tWord && p.i+1 < len(p.toks) && p.toks[p.i+1].kind == tColon:
		return nil, fmt.Errorf("%s:%s: a value holding ':' must be quoted", name, t.text)
	}
	return p.value(name)
}

func (p *parser) value(name string) (Query, error) {
	t := p.peek()
	if t.kind != tPhrase && (t.kind != tWord || p.isWord("AND") || p.isWord("OR") || p.isWord("NOT")) {
		return nil, fmt.Errorf("%s: expected a value, got %q", name, t.text)
	}
	p.i++
	return field{name: name, op: ":", value: t.text}, nil
}

// Millis renders an RFC 3339 time as the epoch milliseconds a comparison reads (none if the
// time does not parse).
func Millis(rfc3339 string) []string {
	t, err := time.Parse(time.RFC3339Nano, rfc3339)
	if err != nil {
		return nil
	}
	return []string{strconv.FormatInt(t.UnixMilli(), 10)}
}

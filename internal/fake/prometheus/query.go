package prometheus

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sample is one instant sample the fake's query endpoint knows: a label set (with
// __name__) and its current value.
type Sample struct {
	Labels map[string]string
	Value  float64
}

// Answer is the canned result of one exact (sub-)expression, e.g. the PromQL of a declared
// SLO with its window filled in. With Error set the query fails with the API's error
// envelope (Status default 400, ErrorType default bad_data).
type Answer struct {
	Samples   []Sample
	Status    int
	ErrorType string
	Error     string
}

// query serves GET and POST /api/v1/query. The fake evaluates a small PromQL subset for
// real: vector selectors (=, !=, =~, !~) over its Series, number literals, vector(s),
// sum(v), label_replace(v, dst, repl, src, regex), the arithmetic operators + - * / with
// one-to-one matching, and or. Any (sub-)expression found in Answers (exactly, trimmed) is
// answered from there instead, which is how tests and the demo serve range functions such
// as rate(...[5m]) that the fake cannot compute. Anything else fails as bad_data, naming
// the expression, so a test never silently reads "no data".
func (s *Server) query(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		apiError(w, http.StatusBadRequest, "bad_data", err.Error())
		return
	}
	q := r.Form.Get("query")
	if strings.TrimSpace(q) == "" {
		apiError(w, http.StatusBadRequest, "bad_data", `invalid parameter "query": 1:1: parse error: no expression found in input`)
		return
	}
	at := s.opts.Now()
	if v := r.Form.Get("time"); v != "" {
		t, err := parseTime(v)
		if err != nil {
			apiError(w, http.StatusBadRequest, "bad_data", `invalid parameter "time": `+err.Error())
			return
		}
		at = t
	}
	s.mu.Lock()
	ev := evaluator{series: s.series, answers: s.answers, regexps: &s.regexps}
	s.mu.Unlock()
	v, err := ev.eval(q)
	if ae := (*answerError)(nil); errors.As(err, &ae) {
		code, typ := ae.a.Status, ae.a.ErrorType
		if code == 0 {
			code = http.StatusBadRequest
		}
		if typ == "" {
			typ = "bad_data"
		}
		apiError(w, code, typ, ae.a.Error)
		return
	}
	if err != nil {
		apiError(w, http.StatusBadRequest, "bad_data", err.Error())
		return
	}
	ts := float64(at.UnixMilli()) / 1000
	if v.scalar {
		success(w, map[string]any{"resultType": "scalar", "result": []any{ts, formatValue(v.s)}})
		return
	}
	result := make([]map[string]any, 0, len(v.vec))
	for _, smp := range v.vec {
		ls := smp.Labels
		if ls == nil {
			ls = map[string]string{}
		}
		result = append(result, map[string]any{"metric": ls, "value": []any{ts, formatValue(smp.Value)}})
	}
	success(w, map[string]any{"resultType": "vector", "result": result})
}

// parseTime reads an RFC 3339 time or Unix seconds.
func parseTime(v string) (time.Time, error) {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return time.UnixMilli(int64(f * 1000)).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("cannot parse %q to a valid timestamp", v)
	}
	return t, nil
}

// formatValue renders a sample value as Prometheus does ("0.015", "NaN", "+Inf").
func formatValue(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// answerError is a canned failure.
type answerError struct{ a Answer }

func (e *answerError) Error() string { return e.a.Error }

// value is a scalar or an instant vector.
type value struct {
	scalar bool
	s      float64
	vec    []Sample
}

type evaluator struct {
	series  []Sample
	answers map[string]Answer
	regexps *regexps
}

// regexps compiles each label matcher's regex once per server (a query repeated every
// answer, as an SLO listing is, compiled it every time).
type regexps struct {
	mu sync.Mutex
	m  map[string]*regexp.Regexp
}

// compile returns the anchored regex of a label matcher value.
func (c *regexps) compile(val string) (*regexp.Regexp, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if re, ok := c.m[val]; ok {
		return re, nil
	}
	re, err := regexp.Compile("^(?s:" + val + ")$")
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = map[string]*regexp.Regexp{}
	}
	c.m[val] = re
	return re, nil
}

func (e evaluator) eval(expr string) (value, error) {
	expr = strings.TrimSpace(expr)
	if a, ok := e.answers[expr]; ok {
		if a.Error != "" {
			return value{}, &answerError{a: a}
		}
		return value{vec: cloneSamples(a.Samples)}, nil
	}
	if parts := splitOr(expr); len(parts) > 1 {
		return e.or(parts)
	}
	for _, ops := range []string{"+-", "*/"} {
		if i := lastBinary(expr, ops); i > 0 {
			l, err := e.eval(expr[:i])
			if err != nil {
				return value{}, err
			}
			r, err := e.eval(expr[i+1:])
			if err != nil {
				return value{}, err
			}
			return arith(expr[i], l, r)
		}
	}
	return e.primary(expr)
}

func (e evaluator) or(parts []string) (value, error) {
	var out []Sample
	seen := map[string]bool{}
	for _, p := range parts {
		v, err := e.eval(p)
		if err != nil {
			return value{}, err
		}
		if v.scalar {
			return value{}, fmt.Errorf("set operator \"or\" not allowed in binary scalar expression")
		}
		var add []Sample
		for _, smp := range v.vec {
			if k := signature(smp.Labels); !seen[k] {
				add = append(add, smp)
			}
		}
		for _, smp := range add {
			seen[signature(smp.Labels)] = true
		}
		out = append(out, add...)
	}
	return value{vec: out}, nil
}

var (
	identRe  = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*`)
	numberRe = regexp.MustCompile(`^(?i)([0-9]*\.?[0-9]+(e[+-]?[0-9]+)?|nan|inf)$`)
)

func (e evaluator) primary(expr string) (value, error) {
	if numberRe.MatchString(expr) {
		f, err := strconv.ParseFloat(expr, 64)
		if err != nil {
			return value{}, err
		}
		return value{scalar: true, s: f}, nil
	}
	if strings.HasPrefix(expr, "(") && closing(expr, 0) == len(expr)-1 {
		return e.eval(expr[1 : len(expr)-1])
	}
	name := identRe.FindString(expr)
	rest := expr[len(name):]
	if name != "" && strings.HasPrefix(rest, "(") && closing(rest, 0) == len(rest)-1 {
		return e.call(name, splitArgs(rest[1:len(rest)-1]), expr)
	}
	return e.selector(expr)
}

func (e evaluator) call(name string, args []string, expr string) (value, error) {
	unsupported := fmt.Errorf("opsctx fake prometheus: no canned answer for %q", expr)
	switch name {
	case "vector":
		if len(args) != 1 {
			return value{}, unsupported
		}
		v, err := e.eval(args[0])
		if err != nil || !v.scalar {
			return value{}, unsupported
		}
		return value{vec: []Sample{{Labels: map[string]string{}, Value: v.s}}}, nil
	case "sum":
		if len(args) != 1 {
			return value{}, unsupported
		}
		v, err := e.eval(args[0])
		if err != nil {
			return value{}, err
		}
		if v.scalar {
			return value{}, fmt.Errorf("expected type instant vector in aggregation expression, got scalar")
		}
		if len(v.vec) == 0 {
			return value{}, nil
		}
		total := 0.0
		for _, smp := range v.vec {
			total += smp.Value
		}
		return value{vec: []Sample{{Labels: map[string]string{}, Value: total}}}, nil
	case "label_replace":
		if len(args) != 5 {
			return value{}, unsupported
		}
		v, err := e.eval(args[0])
		if err != nil {
			return value{}, err
		}
		var strs [4]string
		for i, a := range args[1:] {
			if strs[i], err = strconv.Unquote(strings.TrimSpace(a)); err != nil {
				return value{}, fmt.Errorf("label_replace: argument %d is not a string: %s", i+2, a)
			}
		}
		re, err := regexp.Compile("^(?s:" + strs[3] + ")$")
		if err != nil {
			return value{}, fmt.Errorf("invalid regular expression in label_replace(): %s", strs[3])
		}
		out := cloneSamples(v.vec)
		for i := range out {
			src := out[i].Labels[strs[2]]
			m := re.FindStringSubmatchIndex(src)
			if m == nil {
				continue
			}
			if res := string(re.ExpandString(nil, strs[1], src, m)); res != "" {
				out[i].Labels[strs[0]] = res
			} else {
				delete(out[i].Labels, strs[0])
			}
		}
		return value{vec: out}, nil
	}
	return value{}, unsupported
}

// matcher is one label matcher of a vector selector.
type matcher struct {
	name, op, value string
	re              *regexp.Regexp
}

func (m matcher) matches(v string) bool {
	switch m.op {
	case "=":
		return v == m.value
	case "!=":
		return v != m.value
	case "=~":
		return m.re.MatchString(v)
	default:
		return !m.re.MatchString(v)
	}
}

var matcherRe = regexp.MustCompile(`^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*`)

// selector evaluates name{l="v",...} against the fake's series.
func (e evaluator) selector(expr string) (value, error) {
	bad := fmt.Errorf("opsctx fake prometheus: no canned answer for %q", expr)
	name := identRe.FindString(expr)
	rest := strings.TrimSpace(expr[len(name):])
	var ms []matcher
	if name != "" {
		ms = append(ms, matcher{name: "__name__", op: "=", value: name})
	}
	if rest != "" {
		if !strings.HasPrefix(rest, "{") || closing(rest, 0) != len(rest)-1 {
			return value{}, bad
		}
		for _, part := range splitArgs(rest[1 : len(rest)-1]) {
			if strings.TrimSpace(part) == "" {
				continue
			}
			m := matcherRe.FindStringSubmatch(part)
			if m == nil {
				return value{}, fmt.Errorf("parse error: unexpected %q in label matching", part)
			}
			val, err := strconv.Unquote(strings.TrimSpace(part[len(m[0]):]))
			if err != nil {
				return value{}, fmt.Errorf("parse error: invalid label value in %q", part)
			}
			mt := matcher{name: m[1], op: m[2], value: val}
			if mt.op == "=~" || mt.op == "!~" {
				if mt.re, err = e.regexps.compile(val); err != nil {
					return value{}, fmt.Errorf("parse error: invalid regular expression %q", val)
				}
			}
			ms = append(ms, mt)
		}
	} else if name == "" {
		return value{}, bad
	}
	nonEmpty := false
	for _, m := range ms {
		nonEmpty = nonEmpty || !m.matches("")
	}
	if !nonEmpty {
		return value{}, fmt.Errorf("parse error: vector selector must contain at least one non-empty matcher")
	}
	var out []Sample
	var keys []string // each sample's sort key, computed once
	for _, smp := range e.series {
		ok := true
		for _, m := range ms {
			ok = ok && m.matches(smp.Labels[m.name])
		}
		if ok {
			out = append(out, cloneSamples([]Sample{smp})...)
			keys = append(keys, signature(smp.Labels)+smp.Labels["__name__"])
		}
	}
	sort.Sort(byKey{out, keys})
	return value{vec: out}, nil
}

// byKey sorts samples by their keys.
type byKey struct {
	s    []Sample
	keys []string
}

func (b byKey) Len() int           { return len(b.s) }
func (b byKey) Less(i, j int) bool { return b.keys[i] < b.keys[j] }
func (b byKey) Swap(i, j int) {
	b.s[i], b.s[j] = b.s[j], b.s[i]
	b.keys[i], b.keys[j] = b.keys[j], b.keys[i]
}

// arith applies + - * / with one-to-one matching on label sets without __name__.
func arith(op byte, l, r value) (value, error) {
	f := func(a, b float64) float64 {
		switch op {
		case '+':
			return a + b
		case '-':
			return a - b
		case '*':
			return a * b
		}
		return a / b
	}
	switch {
	case l.scalar && r.scalar:
		return value{scalar: true, s: f(l.s, r.s)}, nil
	case l.scalar || r.scalar:
		vec, sc := r.vec, l.s
		if r.scalar {
			vec, sc = l.vec, r.s
		}
		out := cloneSamples(vec)
		for i := range out {
			delete(out[i].Labels, "__name__")
			if l.scalar {
				out[i].Value = f(sc, out[i].Value)
			} else {
				out[i].Value = f(out[i].Value, sc)
			}
		}
		return value{vec: out}, nil
	}
	right := map[string]Sample{}
	for _, smp := range r.vec {
		k := signature(smp.Labels)
		if _, dup := right[k]; dup {
			return value{}, fmt.Errorf("found duplicate series for the match group on the right hand-side of the operation")
		}
		right[k] = smp
	}
	var out []Sample
	for _, smp := range cloneSamples(l.vec) {
		if m, ok := right[signature(smp.Labels)]; ok {
			delete(smp.Labels, "__name__")
			smp.Value = f(smp.Value, m.Value)
			out = append(out, smp)
		}
	}
	return value{vec: out}, nil
}

// signature identifies a label set without its metric name.
func signature(ls map[string]string) string {
	keys := make([]string, 0, len(ls))
	for k := range ls {
		if k != "__name__" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "\xff" + ls[k] + "\xff")
	}
	return b.String()
}

func cloneSamples(xs []Sample) []Sample {
	out := make([]Sample, len(xs))
	for i, x := range xs {
		ls := make(map[string]string, len(x.Labels))
		for k, v := range x.Labels {
			ls[k] = v
		}
		out[i] = Sample{Labels: ls, Value: x.Value}
	}
	return out
}

// scan walks expr calling f(i, depth) for every byte outside string literals, with the
// bracket depth before that byte.
func scan(expr string, f func(i, depth int) bool) {
	depth := 0
	var quote byte
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case quote != 0:
			if c == '\\' && quote != '`' {
				i++
			} else if c == quote {
				quote = 0
			}
			continue
		case c == '"' || c == '\'' || c == '`':
			quote = c
			continue
		}
		if !f(i, depth) {
			return
		}
		switch c {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		}
	}
}

// closing returns the index of the bracket closing the one at open, or -1.
func closing(expr string, open int) int {
	at := -1
	scan(expr[open:], func(i, depth int) bool {
		c := expr[open+i]
		if (c == ')' || c == ']' || c == '}') && depth == 1 {
			at = open + i
			return false
		}
		return true
	})
	return at
}

// splitArgs splits at top-level commas.
func splitArgs(s string) []string {
	var out []string
	start := 0
	scan(s, func(i, depth int) bool {
		if s[i] == ',' && depth == 0 {
			out = append(out, s[start:i])
			start = i + 1
		}
		return true
	})
	return append(out, s[start:])
}

func isIdent(c byte) bool {
	return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// splitOr splits at top-level "or" keywords.
func splitOr(expr string) []string {
	var out []string
	start := 0
	scan(expr, func(i, depth int) bool {
		if depth == 0 && strings.HasPrefix(strings.ToLower(expr[i:]), "or") &&
			(i == 0 || !isIdent(expr[i-1])) && (i+2 >= len(expr) || !isIdent(expr[i+2])) {
			out = append(out, expr[start:i])
			start = i + 2
		}
		return true
	})
	return append(out, expr[start:])
}

// lastBinary returns the index of the last top-level binary operator among ops, or -1.
// A sign is binary when it follows an operand (not another operator or an exponent).
func lastBinary(expr string, ops string) int {
	at := -1
	scan(expr, func(i, depth int) bool {
		if depth != 0 || !strings.ContainsRune(ops, rune(expr[i])) {
			return true
		}
		j := i - 1
		for j >= 0 && expr[j] == ' ' {
			j--
		}
		if j < 0 {
			return true
		}
		p := expr[j]
		operand := isIdent(p) || p == ')' || p == ']' || p == '}' || p == '"' || p == '\'' || p == '`'
		exponent := (p == 'e' || p == 'E') && j == i-1 && j > 0 && expr[j-1] >= '0' && expr[j-1] <= '9' && numberStart(expr, j)
		if operand && !exponent {
			at = i
		}
		return true
	})
	return at
}

// numberStart reports whether the identifier-like run ending at j is a number literal.
func numberStart(expr string, j int) bool {
	k := j
	for k >= 0 && (isIdent(expr[k]) || expr[k] == '.') {
		k--
	}
	c := expr[k+1]
	return c >= '0' && c <= '9' || c == '.'
}

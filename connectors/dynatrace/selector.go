package dynatrace

import (
	"regexp"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/model"
)

// selectorEscaper escapes ~ and " by a tilde (built once: a Replacer's tables cost more than
// the replacing).
var selectorEscaper = strings.NewReplacer(`~`, `~~`, `"`, `~"`)

// quote renders a selector value: "..." with ~ and " escaped by a tilde.
func quote(v string) string {
	return `"` + selectorEscaper.Replace(v) + `"`
}

// criterion renders name("v1","v2").
func criterion(name string, vals ...string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = quote(v)
	}
	return name + "(" + strings.Join(q, ",") + ")"
}

// entityIDPattern matches Dynatrace entity ids such as SERVICE-5B2C1A9F0D3E7781.
var entityIDPattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]*-[0-9A-F]{16}$`)

// entityIDs returns the Dynatrace entity ids of t (and of t.Related and the hosts t runs on,
// t.Hosts, when related): the record of this source (named source), the catalog annotation,
// and any identity that is an entity id.
func entityIDs(source string, t model.Target, related bool) []string {
	var out []string
	add := func(id string) {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	one := func(t model.Target) {
		if r, ok := t.RecordFrom(source); ok {
			add(r.ID)
		}
		add(t.Annotation(EntityAnnotation))
		for _, n := range t.Identities() {
			if entityIDPattern.MatchString(n) {
				add(n)
			}
		}
	}
	one(t)
	if related {
		for _, r := range append(slices.Clip(t.Related), t.Hosts...) {
			one(r)
		}
	}
	return out
}

// byType groups entity ids by their type prefix (an entitySelector takes one type).
func byType(ids []string) [][]string {
	var order []string
	groups := map[string][]string{}
	for _, id := range ids {
		typ, _, _ := strings.Cut(id, "-")
		if _, ok := groups[typ]; !ok {
			order = append(order, typ)
		}
		groups[typ] = append(groups[typ], id)
	}
	out := make([][]string, 0, len(order))
	for _, typ := range order {
		out = append(out, groups[typ])
	}
	return out
}

package servicenow

import (
	"cmp"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/model"
)

// ciRef is how a target is known in the CMDB: sys_ids and CI names, with the names of the
// sys_ids that are known from this source's own records.
type ciRef struct {
	source     string // this source's name: its records are its own
	ids, names []string
	// correlations are correlation_id values the CIs carry (the value of the Backstage
	// ServiceNow plugins' servicenow.com/entity-id annotation when it is not a sys_id).
	correlations []string
	known        map[string]string // sys_id -> CI name
}

func (c *ciRef) empty() bool { return len(c.ids)+len(c.names)+len(c.correlations) == 0 }

// loose reports whether the query matches more than the CIs: a name or id holding "^",
// which an encoded query cannot hold (see anyOf), is matched by LIKE; keeps then narrows.
func (c *ciRef) loose() bool {
	return slices.ContainsFunc(c.ids, inexact) || slices.ContainsFunc(c.names, inexact)
}

// keeps reports whether a row returned by the query references one of the CIs in one of
// fields, by sys_id or by name (n and known name the references; ServiceNow compares
// names without regard to case). Every row is kept when the query was exact.
func (c *ciRef) keeps(r row, n names, fields ...string) bool {
	if !c.loose() {
		return true
	}
	for _, f := range fields {
		id := r.str(f)
		if id == "" {
			continue
		}
		if slices.Contains(c.ids, id) {
			return true
		}
		name := ciName(id, n, c.known)
		if slices.ContainsFunc(c.names, func(v string) bool { return strings.EqualFold(v, name) }) {
			return true
		}
	}
	return false
}

// add adds the identities of t, in the order of the connector checklist: this source's own
// record, else the servicenow.com/sys-id and servicenow.com/ci-name annotations, else every
// name the target is known by.
func (c *ciRef) add(t model.Target) {
	if c.known == nil {
		c.known = map[string]string{}
	}
	if t.Name == "" {
		return
	}
	if r, ok := t.RecordFrom(c.source); ok {
		c.ids = append(c.ids, r.ID)
		c.known[r.ID] = r.Name
		return
	}
	id, n := t.Annotation(AnnotationSysID), t.Annotation(AnnotationCIName)
	// The public Backstage ServiceNow plugins' annotation holds a sys_id, a CI name or a
	// correlation value: a sys_id is asked as one, anything else as a name or correlation_id.
	if e := t.Annotation(AnnotationEntityID); e != "" {
		if isSysID(e) {
			id = cmp.Or(id, e)
		} else {
			n = cmp.Or(n, e)
			c.correlations = append(c.correlations, e)
		}
	}
	if id != "" || n != "" {
		c.ids, c.names = appendNonEmpty(c.ids, id), appendNonEmpty(c.names, n)
		return
	}
	c.names = append(c.names, t.Identities()...)
}

// refsOf returns the identities of t as the named source knows them, and of its related
// targets and the hosts it runs on when withRelated is set.
func refsOf(source string, t model.Target, withRelated bool) ciRef {
	c := ciRef{source: source}
	c.add(t)
	if withRelated {
		for _, r := range append(slices.Clip(t.Related), t.Hosts...) {
			c.add(r)
		}
	}
	c.ids, c.names, c.correlations = unique(c.ids), unique(c.names), unique(c.correlations)
	return c
}

// query returns an OR-group matching records whose reference fields name one of the CIs.
func (c *ciRef) query(fields ...string) string {
	var conds []string
	for _, f := range fields {
		conds = append(conds, anyOf(f, c.ids)...)
	}
	for _, f := range fields {
		conds = append(conds, anyOf(f+".name", c.names)...)
	}
	for _, f := range fields {
		conds = append(conds, anyOf(f+".correlation_id", c.correlations)...)
	}
	return orGroup(conds)
}

func appendNonEmpty(xs []string, v string) []string {
	if v == "" {
		return xs
	}
	return append(xs, v)
}

// isSysID reports whether v looks like a sys_id: 32 hexadecimal digits.
func isSysID(v string) bool {
	if len(v) != 32 {
		return false
	}
	for _, r := range v {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f' || 'A' <= r && r <= 'F') {
			return false
		}
	}
	return true
}

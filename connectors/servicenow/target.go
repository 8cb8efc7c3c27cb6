package servicenow

import (
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/model"
)

// ciRef is how a target is known in the CMDB: sys_ids and CI names, with the names of the
// sys_ids that are known from this source's own records.
type ciRef struct {
	source     string // this source's name: its records are its own
	ids, names []string
	known      map[string]string // sys_id -> CI name
}

func (c *ciRef) empty() bool { return len(c.ids)+len(c.names) == 0 }

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
	c.ids, c.names = unique(c.ids), unique(c.names)
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
	return orGroup(conds)
}

func appendNonEmpty(xs []string, v string) []string {
	if v == "" {
		return xs
	}
	return append(xs, v)
}

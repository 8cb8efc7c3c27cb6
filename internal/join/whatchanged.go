package join

import (
	"context"
	"fmt"
	"time"

	"github.com/opsctx/opsctx/internal/timeutil"
)

// WhatChangedResult is the result of what_changed.
type WhatChangedResult struct {
	Service ServiceRef `json:"service"`
	Since   string     `json:"since"`
	// Reference is the moment changes are measured against: when the current trouble started, or now.
	Reference string        `json:"reference"`
	Changes   []ChangeEntry `json:"changes"`
	Omitted   int           `json:"omitted"`
	Sources   []SourceEntry `json:"sources"`
}

// WhatChanged lists changes from every source on the service (and its dependencies), ranked
// by suspicion with reasons.
func (e *Engine) WhatChanged(ctx context.Context, service string, since time.Duration, includeDeps bool, limit int) (*WhatChangedResult, error) {
	ctx, cancel, b, d := e.start(ctx)
	defer cancel()
	ent, err := e.resolve(d, b, service)
	if err != nil {
		return nil, err
	}
	from, now := e.window(since)
	t := d.target(ent, from, now)
	if !includeDeps {
		t.Related = nil
	}
	f := e.gather(ctx, b, t, "changes:"+since.String()+fmt.Sprint(includeDeps))
	if !includeDeps {
		var own = f.changes[:0:0]
		for _, c := range f.changes {
			if s := serviceOf(d, c.Source, c.Service); s == "" || fold(s) == fold(ent.Name) {
				own = append(own, c)
			}
		}
		f.changes = own
	}
	start := referenceStart(f, nil)
	res := &WhatChangedResult{Service: serviceRef(d, ent), Since: timeutil.RFC3339(from), Reference: "now", Sources: sourceEntries(b.statuses(e.o.Sources, e.o.Disabled))}
	if !start.IsZero() {
		res.Reference = timeutil.RFC3339(start)
	}
	var in = f.changes[:0:0]
	for _, c := range f.changes {
		if !c.At.Before(from) {
			in = append(in, c)
		}
	}
	f.changes = in
	res.Changes, res.Omitted = capList(rankChanges(d, ent, f, start, now), max(limit, 1))
	return res, nil
}

// serviceRef describes an entity for a result.
func serviceRef(d *Directory, ent *Entity) ServiceRef {
	r := ServiceRef{ID: ent.Records[0].ID, Name: ent.Name, Title: ent.Title(), Aliases: ent.Aliases()}
	if r.Aliases == nil {
		r.Aliases = []string{}
	}
	if os := ent.Owners(); len(os) > 0 {
		r.OwnerTeam = os[0].Team
	}
	return r
}

package answer

import (
	"time"

	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
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

// ChangesOptions are what what_changed is assembled from besides the directory and facts.
type ChangesOptions struct {
	// From and Now bound the window.
	From, Now time.Time
	// IncludeDeps keeps changes on the service's dependencies.
	IncludeDeps bool
	Limit       int
	Sources     []model.SourceStatus
}

// WhatChanged lists the changes in f on ent (and its dependencies), ranked by suspicion
// with reasons.
func WhatChanged(d *directory.Directory, ent *directory.Entity, f model.Facts, o ChangesOptions) *WhatChangedResult {
	from, now := o.From, o.Now
	if !o.IncludeDeps {
		var own = f.Changes[:0:0]
		for _, c := range f.Changes {
			if s := d.Canonical(c.Source, c.Service); s == "" || fold(s) == fold(ent.Name) {
				own = append(own, c)
			}
		}
		f.Changes = own
	}
	start := referenceStart(f, time.Time{})
	res := &WhatChangedResult{Service: serviceRef(ent), Since: timeutil.RFC3339(from), Reference: "now", Sources: SourceEntries(o.Sources)}
	if !start.IsZero() {
		res.Reference = timeutil.RFC3339(start)
	}
	var in = f.Changes[:0:0]
	for _, c := range f.Changes {
		if !c.At.Before(from) {
			in = append(in, c)
		}
	}
	f.Changes = in
	res.Changes, res.Omitted = capList(rankChanges(d, ent, f, start, now), max(o.Limit, 1))
	return res
}

package incident

import (
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/clock"
	"github.com/opsctx/opsctx/internal/answer/prepare"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
)

// WhatChangedResult is the result of what_changed.
type WhatChangedResult struct {
	Service answer.ServiceRef `json:"service"`
	// ResolvedFrom says how the service was found when the question did not name it.
	ResolvedFrom *answer.ResolvedFrom `json:"resolved_from,omitempty"`
	Since        time.Time            `json:"since"`
	// Reference is the moment changes are measured against: when the current trouble
	// started; absent when nothing is wrong, and changes are measured against now.
	Reference time.Time            `json:"reference,omitzero"`
	Changes   []answer.ChangeEntry `json:"changes"`
	Omitted   int                  `json:"omitted"`
	Sources   []answer.SourceEntry `json:"sources"`
}

// ChangesOptions are what what_changed is assembled from besides the directory and facts.
type ChangesOptions struct {
	// From and Now bound the window.
	From, Now time.Time
	// IncludeDeps keeps changes on the service's dependencies.
	IncludeDeps bool
	Limit       int
	Sources     []model.SourceStatus
	// Pinned is the change the question named, listed first.
	Pinned *model.Change
	// IncidentStart is when the incident the question named began (zero otherwise): changes
	// are measured against it.
	IncidentStart time.Time
}

// WhatChanged lists the changes in f on ent (and its dependencies), ranked by suspicion
// with reasons.
func WhatChanged(d *directory.Directory, ent *directory.Entity, f model.Facts, o ChangesOptions) *WhatChangedResult {
	from, now := o.From, o.Now
	f = prepare.Facts(d, f, ent.Name)
	f.Changes = withPinned(f.Changes, o.Pinned)
	if !o.IncludeDeps {
		var own = f.Changes[:0:0]
		for _, c := range f.Changes {
			if s := d.Canonical(c.Source, c.Service); s == "" || fold(s) == fold(ent.Name) {
				own = append(own, c)
			}
		}
		f.Changes = own
	}
	c := clock.New(d, ent, f, now, now, from, o.IncidentStart)
	res := &WhatChangedResult{Service: answer.ServiceRefOf(ent), Since: from.UTC(), Reference: c.Start().UTC(), Sources: answer.SourceEntries(o.Sources)}
	var in = f.Changes[:0:0]
	for _, ch := range f.Changes {
		if !ch.At.Before(from) {
			in = append(in, ch)
		}
	}
	res.Changes, res.Omitted = answer.Cap(pin(c.RankChanges(in), o.Pinned), max(o.Limit, 1))
	return res
}

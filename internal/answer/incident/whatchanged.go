package incident

import (
	"fmt"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/clock"
	"github.com/opsctx/opsctx/internal/answer/prepare"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
)

// WhatChangedResult is the result of what_changed.
type WhatChangedResult struct {
	// Headline says in one sentence what the answer found (and what could not be asked).
	Headline string            `json:"headline"`
	Service  answer.ServiceRef `json:"service"`
	// ResolvedFrom says how the service was found when the question did not name it.
	ResolvedFrom *answer.ResolvedFrom `json:"resolved_from,omitempty"`
	Since        time.Time            `json:"since"`
	// AsOf is the answer's time: what "still open" and "in 45 min" are counted from.
	AsOf time.Time `json:"as_of"`
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

// WhatChanged lists the changes in f on ent, the hosts it runs on (and its dependencies),
// ranked by suspicion with reasons.
func WhatChanged(d *directory.Directory, ent *directory.Entity, f model.Facts, o ChangesOptions) *WhatChangedResult {
	from, now := o.From, o.Now
	f = prepare.Facts(d, f, ent.Name)
	f.Changes = withPinned(f.Changes, o.Pinned)
	if !o.IncludeDeps {
		var own = f.Changes[:0:0]
		for _, c := range f.Changes {
			if s := d.Canonical(c.Source, c.Service); s == "" || fold(s) == fold(ent.Name) || placedOn(d, ent.Name, s) {
				own = append(own, c)
			}
		}
		f.Changes = own
	}
	c := clock.New(d, ent, f, now, now, from, o.IncidentStart)
	res := &WhatChangedResult{Service: answer.ServiceRefOf(ent), Since: from.UTC(), AsOf: now.UTC(), Reference: c.Start().UTC(), Sources: answer.SourceEntries(o.Sources)}
	var in = f.Changes[:0:0]
	for _, ch := range f.Changes {
		if !ch.At.Before(from) {
			in = append(in, ch)
		}
	}
	res.Changes, res.Omitted = answer.Cap(pin(c.RankChanges(in), o.Pinned, f.Changes, c), max(o.Limit, 1))
	res.Headline = changedHeadline(res, o.IncludeDeps)
	return res
}

// changedHeadline says how many changes there are and which is the most suspicious.
func changedHeadline(r *WhatChangedResult, deps bool) string {
	where := r.Service.Name
	if deps {
		where += " and its dependencies"
	}
	against := "now"
	if !r.Reference.IsZero() {
		against = "the start of the trouble at " + r.Reference.UTC().Format(time.RFC3339)
	}
	out := fmt.Sprintf("%d change(s) on %s since %s, measured against %s", len(r.Changes)+r.Omitted, where, r.Since.UTC().Format(time.RFC3339), against)
	ranked := r.Changes
	if len(ranked) > 0 && ranked[0].Pinned {
		c := ranked[0]
		out += fmt.Sprintf("; asked about: %s %q on %s", c.ID, c.Title, c.Service)
		if len(c.Reasons) > 1 { // after "the change asked about": its timing
			out += " (" + c.Reasons[1] + ")"
		}
		ranked = ranked[1:]
	}
	if len(ranked) > 0 {
		c := ranked[0]
		out += fmt.Sprintf("; most suspicious: %s %q on %s (%.2f)", c.ID, c.Title, c.Service, c.Suspicion)
		if c.Author != "" {
			out += " by " + c.Author
		}
	}
	return out + answer.SourceCaveat(r.Sources) + "."
}

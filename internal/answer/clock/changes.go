package clock

import (
	"sort"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
)

// changeRecordKind is the Kind of ITSM change records (ServiceNow change requests).
const changeRecordKind = "change_request"

// matchWindow is how close a deploy/config event must be to a change record's window to be
// the same change.
const matchWindow = 30 * time.Minute

// correlated is a change with what correlation learnt about it.
type correlated struct {
	model.Change
	// confirmedBy names the sources whose telemetry saw this change record happen.
	confirmedBy []string
	// noRecord is set on a deploy or config event that no change record covers, when some
	// source keeps change records.
	noRecord bool
}

// correlateChanges folds deploy and config events that match a change record (same service,
// inside the record's window) into that record, and marks the rest as having no change
// record when some source keeps change records at all. Input order does not matter; output
// is sorted by time.
func correlateChanges(d *directory.Directory, cs []model.Change) []correlated {
	var records, events []model.Change
	for _, c := range cs {
		if c.Kind == changeRecordKind {
			records = append(records, c)
		} else {
			events = append(events, c)
		}
	}
	out := make([]correlated, 0, len(cs))
	seenBy := make([][]string, len(records))
	for _, ev := range events {
		svc := fold(d.Canonical(ev.Source, ev.Service))
		matched := -1
		for i, r := range records {
			if fold(d.Canonical(r.Source, r.Service)) != svc {
				continue
			}
			end := r.EndAt
			if end.IsZero() || end.Before(r.At) {
				end = r.At
			}
			if !ev.At.Before(r.At.Add(-matchWindow)) && !ev.At.After(end.Add(matchWindow)) {
				matched = i
				break
			}
		}
		switch {
		case matched >= 0:
			seenBy[matched] = answer.AppendUnique(seenBy[matched], ev.Source)
		default:
			out = append(out, correlated{Change: ev, noRecord: len(records) > 0 && (ev.Kind == "deploy" || ev.Kind == "config")})
		}
	}
	for i, r := range records {
		out = append(out, correlated{Change: r, confirmedBy: seenBy[i]})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

package clock

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/sanitize"
)

// RankChanges scores each of cs that has happened by how likely it caused the trouble,
// with the reasons, against the first symptom (now when nothing is wrong). A change after
// the start cannot have caused it: it is shown as such (a response or a coincidence),
// scored on location, kind and risk alone, and ranked below every change before the start,
// its suspicion no higher than theirs. Before the start, the score is deterministic: timing
// (up to 40, nearer is more), location (root-cause entity 30, the service 20, a dependency
// 15), kind (up to 10) and risk flags (8 each), divided by 100 and capped at 1. Changes
// scheduled after now are not ranked (see Timeline).
func (c *Clock) RankChanges(cs []model.Change) []answer.ChangeEntry {
	d, ent, now := c.d, c.ent, c.now
	ref, refWhat := c.start, "the trouble started"
	if ref.IsZero() {
		ref, refWhat = now, "now"
	}
	rcs := answer.RootCauses(d, c.f.Problems)
	out := []answer.ChangeEntry{}
	for _, ch := range correlateChanges(d, cs) {
		if ch.At.After(now) {
			continue
		}
		svc := d.Canonical(ch.Source, ch.Service)
		if svc == "" {
			svc = ent.Name
		}
		score := 0.0
		var why []string
		mins := ref.Sub(ch.At).Minutes()
		after := mins < 0
		if after {
			why = append(why, fmt.Sprintf("%s after %s: a response or a coincidence", answer.HumanMinutes(-mins), refWhat))
		} else {
			score += 40 * math.Max(0, 1-mins/180)
			why = append(why, fmt.Sprintf("%s before %s", answer.HumanMinutes(mins), refWhat))
		}
		switch {
		case rcs[fold(svc)].ID != "":
			score += 30
			why = append(why, "on the root-cause entity "+svc)
		case fold(svc) == fold(ent.Name):
			score += 20
			why = append(why, "on "+svc+" itself")
		case placed(d, ent.Name, svc):
			score += 20
			why = append(why, "on "+svc+", which "+ent.Name+" runs on")
			if c.groundAlerting(svc) {
				score += 10
				why = append(why, svc+" is alerting")
			}
		case d.DependsOn(ent.Name, svc, 3):
			score += 15
			why = append(why, "on dependency "+svc)
		}
		switch ch.Kind {
		case "deploy", "config":
			score += 10
			why = append(why, ch.Kind+" change")
		case "infra":
			score += 6
			why = append(why, "infrastructure change")
		default:
			score += 4
		}
		risks := slices.Clip(ch.Risk)
		for _, r := range ch.risks { // its events' flags, once
			if !slices.Contains(risks, r) {
				risks = append(risks, r)
			}
		}
		if ch.noRecord {
			risks = append(risks, "no change record")
		}
		for _, r := range risks {
			score += 8
			why = append(why, r)
		}
		for _, s := range ch.confirmedBy { // corroboration, not risk
			why = append(why, "confirmed by "+s+" telemetry")
		}
		if ch.RecordRef != "" && ch.Kind != changeRecordKind {
			why = append(why, "names change record "+ch.RecordRef)
		}
		rec := record(ch.Record, ch.State)
		var doubt *answer.BackoutDoubt
		if rec != nil {
			doubt = BackoutDoubt(rec.BackoutPlan, ch.values)
		}
		out = append(out, answer.ChangeEntry{ID: ch.ID, Title: ch.Title, Kind: ch.Kind, At: ch.At.UTC(),
			Author: ch.Author, Service: svc, Source: ch.Source, URL: ch.URL,
			Suspicion: math.Round(math.Min(score, 100)) / 100, Reason: strings.Join(why, "; "), Reasons: why,
			ConfirmedBy: ch.confirmedBy, AfterStart: after, Record: rec, Values: ch.values, BackoutDoubt: doubt})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].AfterStart != out[j].AfterStart {
			return !out[i].AfterStart
		}
		if out[i].Suspicion != out[j].Suspicion {
			return out[i].Suspicion > out[j].Suspicion
		}
		return out[i].At.After(out[j].At)
	})
	// A change after the start never looks more suspicious than one before it.
	floor := 1.0
	for i := range out {
		if !out[i].AfterStart {
			floor = out[i].Suspicion
		} else {
			out[i].Suspicion = min(out[i].Suspicion, floor)
		}
	}
	// The record of the top suspect only: the reader decides on a rollback from it.
	for i := range out {
		if i > 0 {
			out[i].Record = nil
		}
	}
	return out
}

// record copies a change record with its text made safe to show, and the change's state.
func record(r *model.ChangeRecord, state string) *model.ChangeRecord {
	if r == nil {
		return nil
	}
	cp := *r
	cp.State = cmp.Or(cp.State, state)
	cp.BackoutPlan = sanitize.Text(cp.BackoutPlan, 500) // a tighter budget than the model's cap
	cp.PlannedStart, cp.PlannedEnd, cp.WorkStart, cp.WorkEnd = cp.PlannedStart.UTC(), cp.PlannedEnd.UTC(), cp.WorkStart.UTC(), cp.WorkEnd.UTC()
	return &cp
}

// RecordOf is ch's change record made safe to show, with the change's state (nil when its
// source keeps none).
func RecordOf(ch model.Change) *model.ChangeRecord { return record(ch.Record, ch.State) }

// Scheduled is the entry of a change that has not begun (RankChanges leaves it out): never
// a suspect, listed when the question names it.
func (c *Clock) Scheduled(ch model.Change) answer.ChangeEntry {
	svc := cmp.Or(c.d.Canonical(ch.Source, ch.Service), ch.Service)
	why := []string{fmt.Sprintf("scheduled to start in %s: it has not begun, so it caused nothing yet", answer.HumanMinutes(ch.At.Sub(c.now).Minutes()))}
	return answer.ChangeEntry{ID: ch.ID, Title: sanitize.Short(ch.Title), Kind: ch.Kind, At: ch.At.UTC(), Author: sanitize.Short(ch.Author),
		Service: sanitize.Short(svc), Source: ch.Source, URL: ch.URL, Reason: why[0], Reasons: why, Record: RecordOf(ch)}
}

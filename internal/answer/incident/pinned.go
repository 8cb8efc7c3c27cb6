package incident

import (
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/clock"
	"github.com/opsctx/opsctx/internal/model"
)

// withPinned adds the change the question named to the changes when no source listed it
// (as its own source described it), so that it is ranked like the others.
func withPinned(cs []model.Change, c *model.Change) []model.Change {
	if c == nil || slices.ContainsFunc(cs, func(x model.Change) bool { return strings.EqualFold(x.ID, c.ID) }) {
		return cs
	}
	return append(slices.Clip(cs), *c)
}

// pin moves the change the question named to the front of the ranked list, marked as
// asked about, with its record; the others keep their order. A change that has not begun
// (scheduled after now) is not ranked, so it is listed from cs as scheduled.
func pin(list []answer.ChangeEntry, c *model.Change, cs []model.Change, k *clock.Clock) []answer.ChangeEntry {
	if c == nil {
		return list
	}
	same := func(id string) bool { return strings.EqualFold(id, c.ID) }
	ch := *c
	if j := slices.IndexFunc(cs, func(x model.Change) bool { return same(x.ID) }); j >= 0 {
		ch = cs[j]
	}
	var e answer.ChangeEntry
	if i := slices.IndexFunc(list, func(x answer.ChangeEntry) bool { return same(x.ID) }); i >= 0 {
		e, list = list[i], slices.Delete(slices.Clone(list), i, i+1)
	} else if ch.At.After(k.Now()) {
		e = k.Scheduled(ch)
	} else {
		return list
	}
	e.Pinned = true
	e.Reasons = append([]string{"the change asked about"}, e.Reasons...)
	e.Reason = strings.Join(e.Reasons, "; ")
	if e.Record == nil {
		e.Record = clock.RecordOf(ch)
	}
	return append([]answer.ChangeEntry{e}, list...)
}

// topSuspect is the most suspicious change before the trouble began, whichever place the
// change asked about took, when it is suspicious enough to name; nil otherwise.
func topSuspect(cs []answer.ChangeEntry) *answer.ChangeEntry {
	var top *answer.ChangeEntry
	for i := range cs {
		c := &cs[i]
		if !c.AfterStart && c.Suspicion >= suspicious && (top == nil || c.Suspicion > top.Suspicion) {
			top = c
		}
	}
	return top
}

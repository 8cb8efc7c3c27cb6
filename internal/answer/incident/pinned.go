package incident

import (
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/answer"
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
// asked about; the others keep their order.
func pin(list []answer.ChangeEntry, c *model.Change) []answer.ChangeEntry {
	if c == nil {
		return list
	}
	i := slices.IndexFunc(list, func(x answer.ChangeEntry) bool { return strings.EqualFold(x.ID, c.ID) })
	if i < 0 {
		return list
	}
	e := list[i]
	e.Pinned = true
	e.Reasons = append([]string{"the change asked about"}, e.Reasons...)
	e.Reason = strings.Join(e.Reasons, "; ")
	return append([]answer.ChangeEntry{e}, slices.Delete(slices.Clone(list), i, i+1)...)
}

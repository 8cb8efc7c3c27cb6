package escalation

import (
	"slices"
	"sort"
	"strings"

	"github.com/opsctx/opsctx/internal/model"
)

// Delayed is a rule that pages Target AfterMinutes after the alert was created, as Opsgenie
// and JSM Operations state their escalation rules.
type Delayed struct {
	AfterMinutes int
	Target       string
	// Condition is what keeps the rule going (Opsgenie's if-not-acked, if-not-closed).
	Condition model.Condition
}

// FromDelays converts rules whose delays count from the alert's creation into one level per
// rule, ordered by delay; the policy repeats count times, waitInterval minutes after its
// last rule (Opsgenie's and JSM Operations' repeat).
func FromDelays(rules []Delayed, count, waitInterval int, source string) Policy {
	rs := slices.Clone(rules)
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].AfterMinutes < rs[j].AfterMinutes })
	var p Policy
	for i, r := range rs {
		p.Steps = append(p.Steps, model.EscalationStep{Level: i + 1, AfterMinutes: r.AfterMinutes, Targets: []string{r.Target},
			Condition: r.Condition, Source: source})
	}
	if count > 0 && len(rs) > 0 {
		p.Loops = count
		p.CycleMinutes = rs[len(rs)-1].AfterMinutes + max(waitInterval, 0)
	}
	return p
}

// ConditionOf reads an Opsgenie or JSM Operations rule condition: if-not-closed goes on after
// an acknowledgement; anything else (if-not-acked, the default) stops there.
func ConditionOf(condition string) model.Condition {
	if strings.EqualFold(condition, string(model.IfNotClosed)) {
		return model.IfNotClosed
	}
	return model.IfNotAcked
}

// Minutes converts an Opsgenie or JSM Operations delay (timeAmount, timeUnit) to whole
// minutes, rounded down; milliseconds and unknown units are 0.
func Minutes(amount int, unit string) int {
	switch strings.ToLower(unit) {
	case "", "minutes":
		return amount
	case "hours":
		return amount * 60
	case "days":
		return amount * 1440
	case "seconds":
		return amount / 60
	}
	return 0
}

package answer

import (
	"fmt"
	"strings"
)

// Detail is how much an answer says: brief (the headline and the top items), standard
// (the default) or full.
type Detail string

// Detail levels.
const (
	DetailBrief    Detail = "brief"
	DetailStandard Detail = "standard"
	DetailFull     Detail = "full"
)

// Details are the detail levels, smallest first.
var Details = []Detail{DetailBrief, DetailStandard, DetailFull}

// ParseDetail reads a detail level as a user or model gives it: "" means standard; an
// unknown level is an error that names the valid ones.
func ParseDetail(s string) (Detail, error) {
	switch d := Detail(strings.ToLower(strings.TrimSpace(s))); d {
	case "":
		return DetailStandard, nil
	case DetailBrief, DetailStandard, DetailFull:
		return d, nil
	}
	return "", fmt.Errorf("detail must be brief, standard or full, not %q", s)
}

// Items is how many items of each list an answer at this detail level keeps.
func (d Detail) Items() int {
	switch d {
	case DetailBrief:
		return 3
	case DetailFull:
		return 200
	}
	return 10
}

// ApplyDetail caps every list for the detail level and records what was left out. It is
// the one place an answer is cut: the text renders what the structured result keeps.
func ApplyDetail(a *IncidentContext, detail Detail) {
	n := detail.Items()
	a.Problems, a.Omitted.Problems = Cap(a.Problems, n)
	a.AlertGroups, a.Omitted.AlertGroups = Cap(a.AlertGroups, n)
	a.SuppressedAlertGroups, a.Omitted.SuppressedAlertGroups = Cap(a.SuppressedAlertGroups, n)
	a.Changes, a.Omitted.Changes = Cap(a.Changes, n)
	a.Incidents, a.Omitted.Incidents = Cap(a.Incidents, n)
	a.SLOs, a.Omitted.SLOs = Cap(a.SLOs, n)
	a.OnCall, a.Omitted.OnCall = Cap(a.OnCall, n)
	a.Next, a.Omitted.Next = Cap(a.Next, n)
	a.Dependencies.Upstream, a.Omitted.Upstream = Cap(a.Dependencies.Upstream, max(n, 5))
	a.Dependencies.Downstream, a.Omitted.Downstream = Cap(a.Dependencies.Downstream, max(n, 5))
	if detail == DetailBrief {
		for i := range a.AlertGroups {
			if len(a.AlertGroups[i].Alerts) > 1 {
				a.AlertGroups[i].Alerts = a.AlertGroups[i].Alerts[:1]
			}
		}
	}
}

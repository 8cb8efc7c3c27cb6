package incident

import "github.com/opsctx/opsctx/internal/answer"

// applyDetail caps every list for the detail level and records what was left out. It is
// the one place an answer is cut: the text renders what the structured result keeps.
func applyDetail(a *answer.IncidentContext, detail answer.Detail) {
	n := detail.Items()
	a.Problems, a.Omitted.Problems = answer.Cap(a.Problems, n)
	a.AlertGroups, a.Omitted.AlertGroups = answer.Cap(a.AlertGroups, n)
	a.SuppressedAlertGroups, a.Omitted.SuppressedAlertGroups = answer.Cap(a.SuppressedAlertGroups, n)
	a.Changes, a.Omitted.Changes = answer.Cap(a.Changes, n)
	a.Incidents, a.Omitted.Incidents = answer.Cap(a.Incidents, n)
	a.SLOs, a.Omitted.SLOs = answer.Cap(a.SLOs, n)
	a.OnCall, a.Omitted.OnCall = answer.Cap(a.OnCall, n)
	a.Next, a.Omitted.Next = answer.Cap(a.Next, n)
	a.Dependencies.Upstream, a.Omitted.Upstream = answer.Cap(a.Dependencies.Upstream, max(n, 5))
	a.Dependencies.Downstream, a.Omitted.Downstream = answer.Cap(a.Dependencies.Downstream, max(n, 5))
	if detail == answer.DetailBrief {
		for i := range a.AlertGroups {
			if len(a.AlertGroups[i].Alerts) > 1 {
				a.AlertGroups[i].Alerts = a.AlertGroups[i].Alerts[:1]
			}
		}
	}
}

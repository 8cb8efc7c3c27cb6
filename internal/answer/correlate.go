package answer

import (
	"cmp"
	"maps"
	"slices"
	"sort"

	"github.com/opsctx/opsctx/internal/answer/spread"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/sanitize"
)

// RootCauses returns the open problems by their root cause's canonical name (folded).
func RootCauses(d *directory.Directory, ps []model.Problem) map[string]model.Problem {
	out := map[string]model.Problem{}
	for _, p := range ps {
		if p.Status == model.ProblemClosed || p.RootCause == "" && p.RootCauseName == "" {
			continue
		}
		rc := d.Canonical(p.Source, p.RootCause)
		if rc == p.RootCause && p.RootCauseName != "" {
			rc = d.Canonical(p.Source, p.RootCauseName)
		}
		out[fold(rc)] = p
	}
	return out
}

// GroupAlerts deduplicates open alerts (each on its canonical service, see prepare.Facts) into
// groups, worst first, and marks the groups a root-cause problem explains: the groups that
// notify (firing, acknowledged) and, apart, those nobody is notified of (silenced,
// inhibited, muted), each with its silences (from mutes) or inhibitors. Alerts join a group
// by dedup key (fingerprint, alert_key, alias) or, across systems that key them
// differently, by the same title on the same service, within one state class. The same
// alert from several instances of a source (clusters) is one group whose Spread says in how
// many of the instances asked (st) it fires, and where that is unknown.
func GroupAlerts(d *directory.Directory, alerts []model.Alert, mutes []model.Mute, problems []model.Problem, st []model.SourceStatus) (open, suppressed []AlertGroup) {
	notified := notifierStates(alerts)
	byClass := map[string][]model.Alert{}
	var classes []string
	for _, a := range alerts {
		if !a.Status.Open() || a.Status == model.AlertPending {
			continue
		}
		a.Status = stateOf(a, notified)
		c := stateClass(a.Status)
		if _, ok := byClass[c]; !ok {
			classes = append(classes, c)
		}
		byClass[c] = append(byClass[c], a)
	}
	g := grouping{d: d, rcs: RootCauses(d, problems), mutes: mutes, titles: titlesByKey(alerts), st: st}
	open, suppressed = []AlertGroup{}, []AlertGroup{}
	for _, c := range classes {
		if c == "open" {
			open = append(open, g.groups(byClass[c])...)
		} else {
			suppressed = append(suppressed, g.groups(byClass[c])...)
		}
	}
	for _, gs := range [][]AlertGroup{open, suppressed} {
		sort.SliceStable(gs, func(i, j int) bool {
			if gs[i].level != gs[j].level {
				return gs[i].level > gs[j].level
			}
			return gs[i].FirstSeen.Before(gs[j].FirstSeen)
		})
	}
	return open, suppressed
}

// grouping is what grouping alerts needs besides the alerts.
type grouping struct {
	d      *directory.Directory
	rcs    map[string]model.Problem
	mutes  []model.Mute
	titles map[string]string // alert dedup key or id -> title, to name inhibitors
	st     []model.SourceStatus
}

// groups groups alerts of one state class.
func (gr grouping) groups(alerts []model.Alert) []AlertGroup {
	groups := map[string]*AlertGroup{}
	members := map[string][]model.Alert{}
	var order []string
	alias := map[string]string{}
	for _, a := range alerts {
		svc := a.Service
		byTitle := normalize(svc) + "/" + fold(a.Title)
		key := a.DedupKey
		if key == "" {
			key = byTitle
		}
		if k, ok := alias[byTitle]; ok && groups[key] == nil {
			key = k
		}
		if k, ok := alias[key]; ok {
			key = k
		}
		alias[byTitle], alias[key] = key, key
		g := groups[key]
		if g == nil {
			g = &AlertGroup{Key: key, Service: svc, Sources: []string{}, Alerts: []AlertRef{}}
			groups[key] = g
			order = append(order, key)
		}
		members[key] = append(members[key], a)
		if a.Rank() > g.level || len(members[key]) == 1 {
			g.level, g.VendorSeverity = a.Rank(), a.Severity
		}
		if fs := a.StartedAt.UTC(); !fs.IsZero() && (g.FirstSeen.IsZero() || fs.Before(g.FirstSeen)) {
			g.FirstSeen = fs
		}
		g.Sources = AppendUnique(g.Sources, a.Source)
		if !slices.ContainsFunc(g.Alerts, func(r AlertRef) bool { return r.ID == a.ID && r.Source == a.Source }) {
			g.Alerts = append(g.Alerts, AlertRef{ID: a.ID, Title: a.Title, Source: a.Source, URL: a.URL,
				Description: sanitize.Text(a.Description, 300)}) // a tighter budget than the model's cap
		}
		gr.suppression(g, a)
		if g.ExplainedBy == "" {
			for _, rc := range slices.Sorted(maps.Keys(gr.rcs)) { // deterministic when several match
				if p := gr.rcs[rc]; Explains(gr.d, rc, p, svc) {
					g.ExplainedBy = cmp.Or(p.DisplayID, p.ID)
					break
				}
			}
		}
	}
	out := make([]AlertGroup, 0, len(order))
	for _, k := range order {
		g := groups[k]
		g.Count = distinctCount(members[k])
		g.State = groupState(members[k])
		g.Severity, g.VendorSeverity = g.level.String(), vendorWord(g.VendorSeverity, g.level)
		g.Spread = spread.Of(g.Sources, gr.st, gr.d.CatalogSources())
		out = append(out, *g)
	}
	return out
}

// groupState is the state of a group's alerts: firing when any fires, acknowledged when all
// are, else the suppressed state they share.
func groupState(as []model.Alert) model.AlertState {
	st := as[0].Status
	for _, a := range as {
		if a.Status == model.AlertFiring || st == model.AlertAcknowledged && a.Status != model.AlertAcknowledged {
			st = a.Status
		}
	}
	return st
}

// suppression notes on g who holds a's notifications back: its silences (with creator,
// comment and end when the silences were read), the alerts that inhibit it, the time
// intervals that mute it.
func (gr grouping) suppression(g *AlertGroup, a model.Alert) {
	switch a.Status {
	case model.AlertSilenced:
		for _, id := range a.SilencedBy {
			if slices.ContainsFunc(g.Silences, func(s SilenceEntry) bool { return s.ID == id }) {
				continue
			}
			se := SilenceEntry{ID: id}
			if i := slices.IndexFunc(gr.mutes, func(m model.Mute) bool { return m.ID == id && m.Kind == model.MuteSilence }); i >= 0 {
				m := gr.mutes[i]
				se.CreatedBy, se.Comment, se.EndsAt = m.CreatedBy, m.Title, m.EndsAt.UTC()
			}
			g.Silences = append(g.Silences, se)
		}
	case model.AlertInhibited:
		for _, id := range a.InhibitedBy {
			g.InhibitedBy = AppendUnique(g.InhibitedBy, cmp.Or(gr.titles[id], id))
		}
	case model.AlertMuted:
		for _, m := range a.MutedBy {
			g.MutedBy = AppendUnique(g.MutedBy, m)
		}
	}
}

// titlesByKey maps each alert's dedup key and id to its title.
func titlesByKey(as []model.Alert) map[string]string {
	out := map[string]string{}
	for _, a := range as {
		for _, k := range []string{a.DedupKey, a.ID} {
			if k != "" && out[k] == "" {
				out[k] = a.Title
			}
		}
	}
	return out
}

// Explains reports whether a problem rooted in rc explains trouble on svc: svc is the root
// cause or one of the problem's impacted entities; when the source lists no impacted
// entities, svc depends on the root cause within two hops.
func Explains(d *directory.Directory, rc string, p model.Problem, svc string) bool {
	if fold(svc) == rc || Impacted(d, p, svc) {
		return true
	}
	return len(p.Impacted) == 0 && len(p.ImpactedNames) == 0 && d.DependsOn(svc, rc, 2)
}

// Impacted reports whether the problem lists svc among its impacted entities.
func Impacted(d *directory.Directory, p model.Problem, svc string) bool {
	for _, x := range p.Impacted {
		if fold(d.Canonical(p.Source, x)) == fold(svc) {
			return true
		}
	}
	for _, x := range p.ImpactedNames {
		if fold(d.Canonical(p.Source, x)) == fold(svc) {
			return true
		}
	}
	return false
}

// DependenciesOf lists the neighbours with owner and health.
func DependenciesOf(d *directory.Directory, ent *directory.Entity, f model.Facts) Dependencies {
	rcs := RootCauses(d, f.Problems)
	alerting := map[string]bool{}
	for _, a := range f.Alerts {
		alerting[fold(d.Canonical(a.Source, a.Service))] = true
	}
	// Rule: a neighbour an open problem lists as impacted is not healthy, whatever its
	// alerts say: "used by payments-ui (ok)" beside a problem that impacts payments-ui
	// contradicts the answer's own facts.
	impacted := func(name string) bool {
		return slices.ContainsFunc(f.Problems, func(p model.Problem) bool { return p.Status != model.ProblemClosed && Impacted(d, p, name) })
	}
	health := func(name string) Health {
		switch {
		case rcs[fold(name)].ID != "":
			return HealthFailing
		case alerting[fold(name)] || impacted(name):
			return HealthDegraded
		case f.HasAlerts && len(f.Failed) == 0:
			return HealthOK
		}
		return HealthUnknown
	}
	entry := func(name string, via []string) DependencyEntry {
		return DependencyEntry{Service: name, Health: health(name), Via: via, OwnerTeam: d.OwnerOf(name)}
	}
	deps := Dependencies{Upstream: []DependencyEntry{}, Downstream: []DependencyEntry{}}
	up, down := d.Neighbours(ent.Name)
	for _, e := range up {
		deps.Upstream = append(deps.Upstream, entry(e.To, e.Sources))
	}
	for _, e := range down {
		deps.Downstream = append(deps.Downstream, entry(e.From, e.Sources))
	}
	return deps
}

package answer

import (
	"cmp"
	"maps"
	"slices"
	"sort"

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

// GroupAlerts deduplicates alerts across sources into groups, worst first, and marks the
// groups a root-cause problem explains; alerts naming no service are on defaultService.
// The same alert from several instances of a source (clusters) is one group whose Spread
// says in how many of the instances asked (st) it fires, and where that is unknown.
func GroupAlerts(d *directory.Directory, defaultService string, alerts []model.Alert, problems []model.Problem, st []model.SourceStatus) []AlertGroup {
	rcs := RootCauses(d, problems)
	groups := map[string]*AlertGroup{}
	var order []string
	// Alerts join one group by dedup key (fingerprint, alert_key, alias) or, across systems
	// that key them differently, by the same title on the same service.
	alias := map[string]string{}
	for _, a := range alerts {
		svc := d.Canonical(a.Source, a.Service)
		if svc == "" {
			svc = defaultService
		}
		byTitle := normalize(svc) + "/" + fold(sanitize.Short(a.Title))
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
			g = &AlertGroup{Key: sanitize.Short(key), Service: sanitize.Short(svc), Sources: []string{}, Alerts: []AlertRef{}}
			groups[key] = g
			order = append(order, key)
		}
		g.Count++
		if a.Rank() > g.level || g.Severity == "" {
			g.Severity, g.level = sanitize.Short(a.Severity), a.Rank()
		}
		if fs := a.StartedAt.UTC(); !fs.IsZero() && (g.FirstSeen.IsZero() || fs.Before(g.FirstSeen)) {
			g.FirstSeen = fs
		}
		g.Sources = appendUnique(g.Sources, a.Source)
		g.Alerts = append(g.Alerts, AlertRef{ID: a.ID, Title: sanitize.Short(a.Title), Source: a.Source, URL: a.URL})
		if g.ExplainedBy == "" {
			for _, rc := range slices.Sorted(maps.Keys(rcs)) { // deterministic when several match
				if p := rcs[rc]; explains(d, rc, p, svc) {
					g.ExplainedBy = cmp.Or(p.DisplayID, p.ID)
					break
				}
			}
		}
	}
	out := make([]AlertGroup, 0, len(order))
	for _, k := range order {
		g := groups[k]
		g.Spread = spreadOf(g.Sources, st, d.CatalogSources())
		out = append(out, *g)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].level != out[j].level {
			return out[i].level > out[j].level
		}
		return out[i].FirstSeen.Before(out[j].FirstSeen)
	})
	return out
}

// explains reports whether a problem rooted in rc explains trouble on svc: svc is the root
// cause or one of the problem's impacted entities; when the source lists no impacted
// entities, svc depends on the root cause within two hops.
func explains(d *directory.Directory, rc string, p model.Problem, svc string) bool {
	if fold(svc) == rc || impacted(d, p, svc) {
		return true
	}
	return len(p.Impacted) == 0 && len(p.ImpactedNames) == 0 && d.DependsOn(svc, rc, 2)
}

func impacted(d *directory.Directory, p model.Problem, svc string) bool {
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

// dependencies lists the neighbours with owner and health.
func dependencies(d *directory.Directory, ent *directory.Entity, f model.Facts) Dependencies {
	rcs := RootCauses(d, f.Problems)
	alerting := map[string]bool{}
	for _, a := range f.Alerts {
		alerting[fold(d.Canonical(a.Source, a.Service))] = true
	}
	health := func(name string) Health {
		switch {
		case rcs[fold(name)].ID != "":
			return HealthFailing
		case alerting[fold(name)]:
			return HealthDegraded
		case f.HasAlerts:
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

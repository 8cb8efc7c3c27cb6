package answer

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/sanitize"
	"github.com/opsctx/opsctx/internal/timeutil"
)

// sevRank orders severities from different vendors on one scale (higher is worse).
func sevRank(s string) int {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical", "p1", "sev1", "1", "availability", "error_event", "page", "disaster":
		return 5
	case "high", "p2", "sev2", "2", "error", "major":
		return 4
	case "warning", "p3", "sev3", "3", "performance", "resource_contention", "moderate", "medium":
		return 3
	case "low", "p4", "sev4", "4", "minor", "custom_alert":
		return 2
	case "info", "p5", "5", "informational":
		return 1
	}
	return 0
}

// rootCauses returns, per open problem, the canonical root-cause name and the impacted names.
func rootCauses(d *directory.Directory, ps []model.Problem) map[string]model.Problem {
	out := map[string]model.Problem{}
	for _, p := range ps {
		if p.Status == "closed" || p.RootCause == "" && p.RootCauseName == "" {
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

// groupAlerts deduplicates alerts across sources and marks groups explained by a root cause.
func groupAlerts(d *directory.Directory, defaultService string, alerts []model.Alert, problems []model.Problem) []AlertGroup {
	rcs := rootCauses(d, problems)
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
		if sevRank(a.Severity) > sevRank(g.Severity) || g.Severity == "" {
			g.Severity = sanitize.Short(a.Severity)
		}
		if fs := timeutil.RFC3339(a.StartedAt); fs != "" && (g.FirstSeen == "" || fs < g.FirstSeen) {
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
		out = append(out, *groups[k])
	}
	sort.SliceStable(out, func(i, j int) bool {
		if sevRank(out[i].Severity) != sevRank(out[j].Severity) {
			return sevRank(out[i].Severity) > sevRank(out[j].Severity)
		}
		return out[i].FirstSeen < out[j].FirstSeen
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

// rankChanges scores every change by how likely it caused the trouble, with the reasons.
// The score is deterministic: timing (up to 40), location (up to 30), kind (up to 10) and
// risk flags (8 each), divided by 100 and capped at 1.
func rankChanges(d *directory.Directory, ent *directory.Entity, f model.Facts, start, now time.Time) []ChangeEntry {
	ref, refWhat := start, "the trouble started"
	if ref.IsZero() {
		ref, refWhat = now, "now"
	}
	rcs := rootCauses(d, f.Problems)
	out := []ChangeEntry{}
	for _, c := range correlateChanges(d, f.Changes) {
		svc := d.Canonical(c.Source, c.Service)
		if svc == "" {
			svc = ent.Name
		}
		score := 0.0
		var why []string
		mins := ref.Sub(c.At).Minutes()
		switch {
		case mins >= 0:
			score += 40 * math.Max(0, 1-mins/180)
			why = append(why, fmt.Sprintf("%s before %s", humanMinutes(mins), refWhat))
		case mins > -5:
			score += 30
			why = append(why, "at the moment "+refWhat)
		default:
			why = append(why, fmt.Sprintf("%s after %s", humanMinutes(-mins), refWhat))
		}
		switch {
		case rcs[fold(svc)].ID != "":
			score += 30
			why = append(why, "on the root-cause entity "+svc)
		case fold(svc) == fold(ent.Name):
			score += 20
			why = append(why, "on "+svc+" itself")
		case d.DependsOn(ent.Name, svc, 3):
			score += 15
			why = append(why, "on dependency "+svc)
		}
		switch c.Kind {
		case "deploy", "config":
			score += 10
			why = append(why, c.Kind+" change")
		case "infra":
			score += 6
			why = append(why, "infrastructure change")
		default:
			score += 4
		}
		for _, r := range c.Risk {
			if strings.HasPrefix(r, "confirmed by") {
				why = append(why, r) // corroboration, not risk
				continue
			}
			score += 8
			why = append(why, r)
		}
		out = append(out, ChangeEntry{ID: c.ID, Title: sanitize.Short(c.Title), Kind: c.Kind, At: timeutil.RFC3339(c.At),
			Author: sanitize.Short(c.Author), Service: sanitize.Short(svc), Source: c.Source, URL: c.URL,
			Suspicion: math.Round(math.Min(score, 100)) / 100, Reason: strings.Join(why, "; ")})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Suspicion != out[j].Suspicion {
			return out[i].Suspicion > out[j].Suspicion
		}
		return out[i].At > out[j].At
	})
	return out
}

func humanMinutes(m float64) string {
	switch {
	case m < 90:
		return fmt.Sprintf("%d min", int(math.Round(m)))
	case m < 48*60:
		return fmt.Sprintf("%.1f h", m/60)
	}
	return fmt.Sprintf("%.1f d", m/1440)
}

// dependencies lists the neighbours with owner and health.
func dependencies(d *directory.Directory, ent *directory.Entity, f model.Facts) Dependencies {
	rcs := rootCauses(d, f.Problems)
	alerting := map[string]bool{}
	for _, a := range f.Alerts {
		alerting[fold(d.Canonical(a.Source, a.Service))] = true
	}
	health := func(name string) string {
		switch {
		case rcs[fold(name)].ID != "":
			return "failing"
		case alerting[fold(name)]:
			return "degraded"
		case f.HasAlerts:
			return "ok"
		}
		return "unknown"
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

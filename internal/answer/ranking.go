package answer

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/sanitize"
)

// rankChanges scores every change by how likely it caused the trouble, with the reasons.
// The score is deterministic: timing (up to 40), location (up to 30), kind (up to 10) and
// risk flags (8 each), divided by 100 and capped at 1.
func rankChanges(d *directory.Directory, ent *directory.Entity, f model.Facts, start, now time.Time) []ChangeEntry {
	ref, refWhat := start, "the trouble started"
	if ref.IsZero() {
		ref, refWhat = now, "now"
	}
	rcs := RootCauses(d, f.Problems)
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
		risks := c.Risk
		if c.noRecord {
			risks = append(slices.Clip(risks), "no change record")
		}
		for _, r := range risks {
			score += 8
			why = append(why, sanitize.Short(r))
		}
		for _, s := range c.confirmedBy { // corroboration, not risk
			why = append(why, "confirmed by "+s+" telemetry")
		}
		out = append(out, ChangeEntry{ID: c.ID, Title: sanitize.Short(c.Title), Kind: c.Kind, At: c.At.UTC(),
			Author: sanitize.Short(c.Author), Service: sanitize.Short(svc), Source: c.Source, URL: c.URL,
			Suspicion: math.Round(math.Min(score, 100)) / 100, Reason: strings.Join(why, "; "), Reasons: why,
			ConfirmedBy: c.confirmedBy})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Suspicion != out[j].Suspicion {
			return out[i].Suspicion > out[j].Suspicion
		}
		return out[i].At.After(out[j].At)
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

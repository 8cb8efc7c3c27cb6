// Package clock is the incident's clock: one answer's sense of time for one service. From
// the facts seen at one now it finds when the trouble began (the first symptom), the
// service's own open pages, who responds (on call now, handovers, escalation timed from
// those pages and held once acknowledged), who has acknowledged, what happens next within
// the horizon, and the changes ranked against the first symptom.
package clock

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/sanitize"
)

// fold is the directory's name key.
var fold = directory.Fold

// Clock is one answer's sense of time: the facts about ent seen from now, looking ahead to
// the horizon, with when the trouble started and the service's own open pages. Every time
// in an answer is measured from its one now.
type Clock struct {
	d          *directory.Directory
	ent        *directory.Entity
	f          model.Facts
	now, ahead time.Time
	// start is the first symptom (see firstSymptom); zero when nothing is wrong.
	start time.Time
	// pages are the service's own earliest open page per source (see page).
	pages map[string]page
}

// New sees f from now with a horizon ending at ahead. Symptoms count from since (the
// start of the window considered); incidentStart is when the incident the question named
// began (zero when it named a service).
func New(d *directory.Directory, ent *directory.Entity, f model.Facts, now, ahead, since, incidentStart time.Time) *Clock {
	if ahead.Before(now) {
		ahead = now
	}
	c := &Clock{d: d, ent: ent, f: f, now: now, ahead: ahead}
	c.start = c.firstSymptom(since, incidentStart)
	c.pages = c.ownPages()
	return c
}

// Start is the first symptom: when the trouble began (zero when nothing is wrong).
func (c *Clock) Start() time.Time { return c.start }

// Now is the answer's time.
func (c *Clock) Now() time.Time { return c.now }

// Ahead is the end of the horizon.
func (c *Clock) Ahead() time.Time { return c.ahead }

// FirstPage names the service's own earliest open page in a source that escalates (one
// that knows on-call): the first escalation timings are measured from ("" when there is
// none); of pages that began at once, the first source's. Each source's levels are timed
// from its own page (EscalationEntry.TimedFrom).
func (c *Clock) FirstPage() string {
	escalates := map[string]bool{}
	for _, r := range c.f.Responders {
		escalates[r.Source] = true
	}
	var first page
	for _, pg := range c.pages {
		if !escalates[pg.source] {
			continue
		}
		if first.what == "" || pg.start.Before(first.start) || pg.start.Equal(first.start) && pg.source < first.source {
			first = pg
		}
	}
	return first.what
}

// own reports whether a source's service name means the service asked about.
func (c *Clock) own(source, svc string) bool {
	return svc != "" && fold(c.d.Canonical(source, svc)) == fold(c.ent.Name)
}

// relation says how the service named svc (canonical) relates to the one asked about (see
// answer.RelationOf); ok is false for a service that is neither it nor a neighbour.
func (c *Clock) relation(svc string) (answer.Relation, bool) {
	return answer.RelationOf(c.d, c.ent.Name, svc)
}

// on writes where something is: "" for the service itself, else " on dependency x".
func on(rel answer.Relation, svc string) string {
	if rel == answer.RelSelf {
		return ""
	}
	return " on " + answer.On(svc, rel)
}

// firstSymptom is when the trouble started: the earliest moment at or after since of the
// service's own firing alerts and open incidents, the open problems it is impacted by (or
// is the root cause of), and the alerts on those problems' root causes; the incident the
// question named counts as well. Older signals (a warning firing for days) are not this
// trouble's start. Zero when nothing is wrong.
func (c *Clock) firstSymptom(since, incidentStart time.Time) time.Time {
	var t time.Time
	seen := func(x time.Time) {
		if !x.IsZero() && !x.Before(since) && !x.After(c.now) && (t.IsZero() || x.Before(t)) {
			t = x
		}
	}
	seen(incidentStart)
	problems, causes := c.troubles()
	for _, p := range problems {
		seen(p.StartedAt)
	}
	for _, i := range c.f.Incidents {
		if i.Status != model.IncidentResolved && c.own(i.Source, i.Service) {
			seen(i.StartedAt)
		}
	}
	for _, a := range c.f.Alerts {
		if a.Status.Open() && (c.own(a.Source, a.Service) || causes[fold(c.d.Canonical(a.Source, a.Service))]) {
			seen(a.StartedAt)
		}
	}
	return t
}

// troubles are the open problems on the service (it is impacted, or the root cause, or a
// problem explains its trouble) and their root causes (folded canonical names).
func (c *Clock) troubles() ([]model.Problem, map[string]bool) {
	var out []model.Problem
	causes := map[string]bool{}
	rcs := answer.RootCauses(c.d, c.f.Problems)
	for _, p := range c.f.Problems {
		if p.Status == model.ProblemClosed {
			continue
		}
		for rc, q := range rcs {
			if q.ID == p.ID && q.Source == p.Source && answer.Explains(c.d, rc, p, c.ent.Name) {
				causes[rc] = true
				out = append(out, p)
			}
		}
		if !slices.ContainsFunc(out, func(q model.Problem) bool { return q.ID == p.ID && q.Source == p.Source }) && answer.Impacted(c.d, p, c.ent.Name) {
			out = append(out, p)
		}
	}
	return out, causes
}

// page is the service's own earliest open page in one source: what that source's
// escalation is timed from. It is an incident, or for a source that pages through alerts
// (one that returned no incident on the service), an alert.
type page struct {
	what      string // e.g. "pagerduty incident 4711"
	start     time.Time
	acks      []model.Ack
	scheduled []model.Action
	source    string
	assignees []string // who the source says the page is assigned to (incidents)
}

func (p page) acked() bool { return len(p.acks) > 0 }

// ownPages finds each source's earliest open page on the service itself.
func (c *Clock) ownPages() map[string]page {
	out := map[string]page{}
	keep := func(p page) {
		if cur, ok := out[p.source]; !ok || p.start.Before(cur.start) {
			out[p.source] = p
		}
	}
	for _, i := range c.f.Incidents {
		if i.Status != model.IncidentResolved && c.own(i.Source, i.Service) {
			keep(page{what: i.Source + " incident " + cmp.Or(i.Number, i.ID), start: i.StartedAt, acks: i.Acks, scheduled: i.Scheduled, source: i.Source,
				assignees: i.Assignees})
		}
	}
	byIncident := map[string]bool{}
	for src := range out {
		byIncident[src] = true
	}
	for _, a := range c.f.Alerts {
		if !byIncident[a.Source] && openAlert(a) && c.own(a.Source, a.Service) {
			keep(page{what: fmt.Sprintf("%s alert %q", a.Source, a.Title), start: a.StartedAt, acks: a.Acks, source: a.Source})
		}
	}
	return out
}

// openAlert reports whether an alert still asks for someone (firing or acknowledged).
func openAlert(a model.Alert) bool {
	return a.Status == model.AlertFiring || a.Status == model.AlertAcknowledged
}

// Acknowledgements lists who has taken the service's own open incidents and the alerts of
// the sources that page (those that know on-call), and which of them nobody has taken.
func (c *Clock) Acknowledgements() (acked []answer.AckEntry, unacked []string) {
	acked, unacked = []answer.AckEntry{}, []string{}
	// Alerts count where a source pages through them: it knows on-call, and returned no
	// incident on the service (a PagerDuty alert is part of its incident).
	paging := map[string]bool{}
	for _, r := range c.f.Responders {
		paging[r.Source] = true
	}
	for _, i := range c.f.Incidents {
		if c.own(i.Source, i.Service) {
			paging[i.Source] = false
		}
	}
	take := func(what, source string, acks []model.Ack) {
		if len(acks) == 0 {
			unacked = append(unacked, what)
		}
		for _, a := range acks {
			acked = append(acked, answer.AckEntry{What: what, By: cmp.Or(a.By, "someone (not named by the source)"), At: a.At.UTC(), Source: source})
		}
	}
	for _, i := range c.f.Incidents {
		if i.Status != model.IncidentResolved && c.own(i.Source, i.Service) {
			take(i.Source+" incident "+cmp.Or(i.Number, i.ID), i.Source, i.Acks)
		}
	}
	for _, a := range c.f.Alerts {
		if paging[a.Source] && openAlert(a) && c.own(a.Source, a.Service) {
			take(fmt.Sprintf("%s alert %q", a.Source, a.Title), a.Source, a.Acks)
		}
	}
	sort.SliceStable(acked, func(i, j int) bool { // earliest first; those the source gives no time for last
		x, y := acked[i].At, acked[j].At
		return !x.IsZero() && (y.IsZero() || x.Before(y))
	})
	return acked, unacked
}

// next appends n to out when it happens within the horizon, counting its minutes from now.
func (c *Clock) next(out *[]answer.NextEntry, n answer.NextEntry) {
	if n.At.IsZero() || !n.At.After(c.now) || n.At.After(c.ahead) {
		return
	}
	n.At, n.InMinutes = n.At.UTC(), MinutesUntil(c.now, n.At)
	*out = append(*out, n)
}

// MinutesUntil is the whole minutes from now to at, rounded up: "in 1 min" rather than
// "in 0 min" for something 20 seconds away.
func MinutesUntil(now, at time.Time) int { return int(math.Ceil(at.Sub(now).Minutes())) }

// Timeline is everything that happens within the horizon, soonest first: the responders'
// handovers, escalations and acknowledgement timeouts (r), silences and maintenance windows
// that end, changes that start or whose window closes, pending alerts that fire, and when
// the next stakeholder update is due.
func (c *Clock) Timeline(r Responding) []answer.NextEntry {
	out := append([]answer.NextEntry{}, r.Next...)
	c.mutesEnding(&out)
	c.changesAhead(&out)
	for _, a := range c.f.Pending {
		svc := c.d.Canonical(a.Source, a.Service)
		rel, ok := c.relation(svc)
		switch {
		case !ok || a.FiresAt.IsZero():
		case !a.FiresAt.After(c.now):
			// Past its `for` and still pending: it fires at the next rule evaluation if it
			// holds. Listed at the time it was due (in the past), never dropped.
			out = append(out, answer.NextEntry{At: a.FiresAt.UTC(), InMinutes: MinutesUntil(c.now, a.FiresAt), Kind: answer.NextAlertFires,
				Subject: a.Title, Service: svc, Source: a.Source,
				What: fmt.Sprintf("%q%s is still pending %s after its for ran out: it fires at the next rule evaluation if it still holds",
					a.Title, on(rel, svc), answer.HumanMinutes(c.now.Sub(a.FiresAt).Minutes()))})
		default:
			c.next(&out, answer.NextEntry{At: a.FiresAt, Kind: answer.NextAlertFires, Subject: a.Title, Service: svc, Source: a.Source,
				What: fmt.Sprintf("%q%s is pending and fires if it still holds", a.Title, on(rel, svc))})
		}
	}
	if due, every := c.updateDue(); !due.IsZero() {
		c.next(&out, answer.NextEntry{At: due, Kind: answer.NextUpdateDue, Subject: "stakeholder update", Service: c.ent.Name, Source: "opsctx",
			What: fmt.Sprintf("stakeholder update (every %d min from the first symptom while the trouble lasts)", every)})
	}
	order := map[answer.NextKind]int{answer.NextEscalation: 0, answer.NextAckExpires: 1, answer.NextSilenceEnds: 2, answer.NextMaintenanceEnds: 3, answer.NextAlertFires: 4,
		answer.NextHandover: 5, answer.NextChangeStarts: 6, answer.NextChangeWindowEnds: 7, answer.NextUpdateDue: 8}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		return order[out[i].Kind] < order[out[j].Kind]
	})
	return out
}

// mutesEnding adds the silences that end within the horizon while they mute the service's
// or a neighbour's alerts (or match the name of one of them), and the maintenance windows
// on them that end.
func (c *Clock) mutesEnding(out *[]answer.NextEntry) {
	for _, m := range c.f.Mutes {
		if !m.ActiveAt(c.now) {
			continue
		}
		switch m.Kind {
		case model.MuteSilence:
			if what, subject, svc := c.silenced(m); what != "" {
				name := "silence " + m.ID
				if m.CreatedBy != "" {
					name = m.CreatedBy + "'s silence"
				}
				if m.Title != "" {
					name += fmt.Sprintf(" %q", m.Title)
				}
				c.next(out, answer.NextEntry{At: m.EndsAt, Kind: answer.NextSilenceEnds, Subject: subject, Service: svc, Source: m.Source,
					What: name + " on " + what + " ends: it notifies again"})
			}
		case model.MuteMaintenance:
			for _, s := range m.Services {
				svc := c.d.Canonical(m.Source, s)
				if rel, ok := c.relation(svc); ok {
					title := cmp.Or(m.Title, m.ID)
					name := "maintenance window"
					if m.CreatedBy != "" {
						name = m.CreatedBy + "'s maintenance window"
					}
					since := ""
					if !m.StartsAt.IsZero() {
						since = " (since " + m.StartsAt.UTC().Format(time.RFC3339) + ")"
					}
					c.next(out, answer.NextEntry{At: m.EndsAt, Kind: answer.NextMaintenanceEnds, Subject: title, Service: svc, Source: m.Source,
						What: fmt.Sprintf("%s %q%s%s ends: it pages again", name, title, since, on(rel, svc))})
					break
				}
			}
		}
	}
}

// silenced describes what silence m mutes among the service's and its neighbours' alerts
// ("CartLatencyHigh (firing) on dependency cart"), or, when none of their alerts is
// muted, the service it names in a matcher; with a subject (the first alert's name) and
// the service concerned; "" when it concerns none of them.
func (c *Clock) silenced(m model.Mute) (what, subject, svc string) {
	var names []string
	for _, a := range c.f.Alerts {
		if a.Source != m.Source || !(slices.Contains(a.SilencedBy, m.ID) || m.Covers(a.Labels)) {
			continue
		}
		s := c.d.Canonical(a.Source, a.Service)
		rel, ok := c.relation(s)
		if !ok {
			continue
		}
		name := sanitize.Short(cmp.Or(a.Labels["alertname"], a.Title))
		if svc == "" {
			svc, subject = s, name
		}
		names = answer.AppendUnique(names, fmt.Sprintf("%s (%s%s)", name, a.Status, strings.Replace(on(rel, s), " on ", ", on ", 1)))
	}
	if len(names) > 0 {
		return strings.Join(names, ", "), subject, svc
	}
	for _, x := range m.Matchers {
		if x.Negative {
			continue
		}
		for _, name := range append([]string{c.ent.Name}, c.neighbourNames()...) {
			if x.Matches(map[string]string{x.Name: name}) {
				rel, _ := c.relation(name)
				m := fmt.Sprintf("%s%s%q", x.Name, x.Op(), sanitize.Quoted(x.Value, sanitize.NameMax))
				return fmt.Sprintf("%s%s (no alert firing)", m, on(rel, name)), m, name
			}
		}
	}
	return "", "", ""
}

// neighbourNames are the service's direct neighbours.
func (c *Clock) neighbourNames() []string {
	var out []string
	up, down := c.d.Neighbours(c.ent.Name)
	for _, e := range up {
		out = answer.AppendUnique(out, e.To)
	}
	for _, e := range down {
		out = answer.AppendUnique(out, e.From)
	}
	return out
}

// changesAhead adds the changes on the service or its dependencies that are scheduled to
// start within the horizon, and those under way whose window closes within it.
func (c *Clock) changesAhead(out *[]answer.NextEntry) {
	for _, ch := range c.f.Changes {
		svc := cmp.Or(c.d.Canonical(ch.Source, ch.Service), c.ent.Name)
		rel, ok := c.relation(svc)
		if !ok || rel == answer.RelConsumer {
			continue
		}
		state := ""
		if ch.State != "" {
			state = ", " + ch.State
		}
		what := fmt.Sprintf("%s %q (%s%s)%s", ch.ID, ch.Title, ch.Kind, state, on(rel, svc))
		n := answer.NextEntry{Subject: ch.ID, Service: svc, Source: ch.Source}
		switch {
		case ch.At.After(c.now):
			n.At, n.Kind, n.What = ch.At, answer.NextChangeStarts, what+" starts"
		case !ch.EndAt.IsZero():
			n.At, n.Kind, n.What = ch.EndAt, answer.NextChangeWindowEnds, what+": its window closes"
		}
		c.next(out, n)
	}
}

// Update cadences: critical trouble gets a stakeholder update every 30 minutes, any other
// every hour, counted from the first symptom.
const (
	updateCritical = 30
	updateOther    = 60
)

// updateDue is when the next stakeholder update is due while the service is in trouble,
// and the cadence in minutes; zero without trouble. One rule, whichever entry point the
// question came through: the cadence follows the worst severity of the whole trouble — the
// open problems the service is impacted by or the root cause of, and the open incidents and
// firing alerts of the service and of every service those problems are rooted at or impact —
// so the same incident gets the same cadence asked from the symptom, the cause or a reference.
func (c *Clock) updateDue() (time.Time, int) {
	if c.start.IsZero() {
		return time.Time{}, 0
	}
	worst := model.SeverityUnknown
	problems, _ := c.troubles()
	involved := map[string]bool{fold(c.ent.Name): true}
	for _, p := range problems {
		worst = max(worst, p.Rank())
		for _, x := range slices.Concat([]string{p.RootCause, p.RootCauseName}, p.Impacted, p.ImpactedNames) {
			if x != "" {
				involved[fold(c.d.Canonical(p.Source, x))] = true
			}
		}
	}
	in := func(source, svc string) bool { return svc != "" && involved[fold(c.d.Canonical(source, svc))] }
	for _, i := range c.f.Incidents {
		if i.Status != model.IncidentResolved && in(i.Source, i.Service) {
			worst = max(worst, i.Rank())
		}
	}
	for _, a := range c.f.Alerts {
		if a.Status == model.AlertFiring && in(a.Source, a.Service) {
			worst = max(worst, a.Rank())
		}
	}
	every := updateOther
	if worst >= model.SeverityCritical {
		every = updateCritical
	}
	n := int(c.now.Sub(c.start)/(time.Duration(every)*time.Minute)) + 1
	return c.start.Add(time.Duration(n*every) * time.Minute), every
}

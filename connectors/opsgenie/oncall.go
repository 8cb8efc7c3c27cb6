package opsgenie

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/sourcegraph/conc"
	"github.com/sourcegraph/conc/iter"

	"github.com/opsctx/opsctx/internal/escalation"
	"github.com/opsctx/opsctx/internal/model"
)

// reference is the account's schedule and escalation listings, which Responders filters
// by team.
type reference struct {
	schedules   []schedule
	escalations []escalationPolicy
}

// Warm fetches the schedule and escalation listings again (two concurrent requests) and
// keeps them for ReferenceTTL, so that Responders asks only for the on-call participants;
// while it runs, Responders uses the listings it replaces.
func (s *Source) Warm(ctx context.Context) error {
	_, err := s.ref.Refresh(ctx, "", s.fetchReference)
	return err
}

// reference returns the kept listings, fetching them unless they are fresh, in flight or
// being refreshed by Warm.
func (s *Source) reference(ctx context.Context) (reference, error) {
	return s.ref.Get(ctx, "", s.fetchReference)
}

// fetchReference reads the schedule and escalation listings.
func (s *Source) fetchReference(ctx context.Context) (reference, error) {
	var (
		r          reference
		sErr, eErr error
		wg         conc.WaitGroup
	)
	wg.Go(func() { sErr = s.get(ctx, "/v2/schedules", nil, &r.schedules) })
	wg.Go(func() { eErr = s.get(ctx, "/v2/escalations", nil, &r.escalations) })
	wg.Wait()
	if sErr != nil {
		return reference{}, sErr
	}
	if eErr != nil {
		return reference{}, eErr
	}
	return r, nil
}

// Responders returns, for the team named by the target's opsgenie.com/team annotation, who
// is on call now in each enabled schedule the team owns (level: the escalation rule that
// pages the schedule, else 1) and the team's escalation as cumulative steps (Opsgenie rule
// delays already count from the alert's creation). Requests: one on-call request per team
// schedule (at most DefaultMaxSchedules), concurrently, preceded by the schedule and
// escalation listings only when Warm has not kept them.
// On-call people are named by their Opsgenie username (normally their e-mail).
func (s *Source) Responders(ctx context.Context, t model.Target) (model.Responders, error) {
	team := t.Annotation(AnnotationTeam)
	if team == "" {
		return model.Responders{}, nil
	}
	ref, err := s.reference(ctx)
	if err != nil {
		return model.Responders{}, err
	}
	var (
		owned, notes []string
		mine         []schedule
		esc          *escalationPolicy
		escs         = ref.escalations
	)
	for _, sc := range ref.schedules {
		if sc.Enabled && ownedBy(sc.OwnerTeam, team) {
			mine = append(mine, sc)
		}
	}
	if len(mine) > DefaultMaxSchedules {
		notes = append(notes, fmt.Sprintf("%d schedules of team %s; on-call shown for the first %d", len(mine), team, DefaultMaxSchedules))
		mine = mine[:DefaultMaxSchedules]
	}
	for i := range escs {
		if ownedBy(escs[i].OwnerTeam, team) {
			owned = append(owned, escs[i].Name)
			if esc == nil {
				esc = &escs[i]
			}
		}
	}
	if len(owned) > 1 {
		notes = append(notes, fmt.Sprintf("team %s owns escalations %s; showing %s", team, strings.Join(owned, ", "), esc.Name))
	}

	type result struct {
		ps  []participant
		err error
	}
	res := iter.Map(mine, func(sc *schedule) result {
		var oc struct {
			OnCallParticipants []participant `json:"onCallParticipants"`
		}
		err := s.get(ctx, "/v2/schedules/"+url.PathEscape(sc.ID)+"/on-calls", url.Values{"scheduleIdentifierType": {"id"}}, &oc)
		return result{oc.OnCallParticipants, err}
	})
	r := model.Responders{}
	for i, sc := range mine {
		if res[i].err != nil {
			return model.Responders{}, res[i].err
		}
		level := levelOf(esc, sc)
		users := flatten(res[i].ps)
		if len(users) == 0 {
			notes = append(notes, sc.Name+": no one on call")
		}
		for _, u := range users {
			oc := model.OnCall{Name: u, Level: level, Schedule: sc.Name, Source: SourceName}
			if strings.Contains(u, "@") {
				oc.Email = u
			}
			r.OnCall = append(r.OnCall, oc)
		}
	}
	sort.SliceStable(r.OnCall, func(i, j int) bool { return r.OnCall[i].Level < r.OnCall[j].Level })
	if esc != nil {
		r.Policy = esc.Name
		p := policyOf(*esc)
		r.Escalation, r.Loops, r.CycleMinutes = p.Steps, p.Loops, p.CycleMinutes
		if p.Loops > 0 {
			notes = append(notes, fmt.Sprintf("%s repeats %d time(s), every %d min", esc.Name, p.Loops, p.CycleMinutes))
		}
	} else if len(mine) > 0 {
		r.Policy = mine[0].Name
	}
	r.Note = strings.Join(notes, "; ")
	return r, nil
}

// ownedBy reports whether the owner team has the name or id.
func ownedBy(owner *teamMeta, team string) bool {
	return owner != nil && (strings.EqualFold(owner.Name, team) || owner.ID == team)
}

// levelOf is the 1-based level of the first rule that pages the schedule (or its team), else 1.
func levelOf(esc *escalationPolicy, sc schedule) int {
	if esc == nil {
		return 1
	}
	for i, step := range policyOf(*esc).Steps {
		if slices.Contains(step.Targets, sc.Name) || slices.Contains(step.Targets, sc.ID) {
			return i + 1
		}
	}
	return 1
}

// policyOf maps an escalation to cumulative steps, ordered by delay; it repeats
// repeat.count times, waitInterval minutes after its last rule.
func policyOf(e escalationPolicy) escalation.Policy {
	type rule struct {
		after  int
		target string
	}
	rules := make([]rule, 0, len(e.Rules))
	for _, r := range e.Rules {
		rules = append(rules, rule{minutes(r.Delay.TimeAmount, r.Delay.TimeUnit), r.Recipient.label()})
	}
	sort.SliceStable(rules, func(i, j int) bool { return rules[i].after < rules[j].after })
	var p escalation.Policy
	for i, r := range rules {
		p.Steps = append(p.Steps, model.EscalationStep{Level: i + 1, AfterMinutes: r.after, Targets: []string{r.target}, Source: SourceName})
	}
	if e.Repeat != nil && e.Repeat.Count > 0 && len(rules) > 0 {
		p.Loops = e.Repeat.Count
		p.CycleMinutes = rules[len(rules)-1].after + max(e.Repeat.WaitInterval, 0)
	}
	return p
}

// minutes converts an Opsgenie duration to whole minutes (rounded down).
func minutes(amount int, unit string) int {
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
	return 0 // milliseconds and finer
}

// flatten returns the usernames of the user participants, at any depth, once each.
func flatten(ps []participant) []string {
	var out []string
	var walk func([]participant)
	walk = func(ps []participant) {
		for _, p := range ps {
			if p.Type == "user" && p.Name != "" && !slices.Contains(out, p.Name) {
				out = append(out, p.Name)
			}
			walk(p.OnCallParticipants)
		}
	}
	walk(ps)
	return out
}

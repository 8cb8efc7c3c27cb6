package opsgenie

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sourcegraph/conc"
	"github.com/sourcegraph/conc/iter"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/escalation"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/shifts"
)

// reference is the account's schedule and escalation listings, which Responders filters
// by team, and the full names of its users by lower-cased username.
type reference struct {
	schedules   []schedule
	escalations []escalationPolicy
	fullNames   map[string]string
}

// referenceJSON is a reference in a snapshot.
type referenceJSON struct {
	Schedules   []schedule         `json:"schedules"`
	Escalations []escalationPolicy `json:"escalations"`
	FullNames   map[string]string  `json:"full_names,omitempty"`
}

// MarshalJSON encodes the listings.
func (r reference) MarshalJSON() ([]byte, error) {
	return json.Marshal(referenceJSON{r.schedules, r.escalations, r.fullNames})
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (r *reference) UnmarshalJSON(data []byte) error {
	var j referenceJSON
	err := json.Unmarshal(data, &j)
	*r = reference{j.Schedules, j.Escalations, j.FullNames}
	return err
}

// Kept returns the schedule, escalation and user listings kept, for a snapshot
// (connectors.Keeper).
func (s *Source) Kept() (json.RawMessage, error) { return json.Marshal(s.ref) }

// Keep takes back listings Kept returned; the next Warm replaces them.
func (s *Source) Keep(data json.RawMessage) error { return json.Unmarshal(data, s.ref) }

// name returns the full name of the user with the username, else the username.
func (r reference) name(username string) string {
	if n := r.fullNames[strings.ToLower(username)]; n != "" {
		return n
	}
	return username
}

// Warm fetches the schedule, escalation and user listings again (three concurrent
// requests, then any further user pages) and keeps them for ReferenceTTL, so that
// Responders asks only for the on-call participants; while it runs, Responders uses the
// listings it replaces.
func (s *Source) Warm(ctx context.Context) error {
	_, err := s.ref.Refresh(ctx, "", s.fetchReference)
	return err
}

// reference returns the kept listings, fetching them unless they are fresh, in flight or
// being refreshed by Warm.
func (s *Source) reference(ctx context.Context) (reference, error) {
	return s.ref.Get(ctx, "", s.fetchReference)
}

// fetchReference reads the schedule, escalation and user listings concurrently. Only the
// schedules and escalations must be read: without the users, people are named by username.
func (s *Source) fetchReference(ctx context.Context) (reference, error) {
	var (
		r          reference
		sErr, eErr error
		wg         conc.WaitGroup
	)
	wg.Go(func() { sErr = s.get(ctx, "/v2/schedules", nil, &r.schedules) })
	wg.Go(func() { eErr = s.get(ctx, "/v2/escalations", nil, &r.escalations) })
	wg.Go(func() { r.fullNames = s.fullNames(ctx) })
	wg.Wait()
	if sErr != nil {
		return reference{}, sErr
	}
	if eErr != nil {
		return reference{}, eErr
	}
	return r, nil
}

// fullNames maps the lower-cased usernames of the account's users to their full names,
// from GET /v2/users sorted by username and paged with offset/limit to the end (at most
// MaxUserPages). A failure (e.g. HTTP 403, a key that may not list users) is logged at
// debug level and keeps what was read: the others are named by username.
func (s *Source) fullNames(ctx context.Context) map[string]string {
	names := map[string]string{}
	var guard connectors.Pages
	for page, offset := 1, 0; ; page++ {
		var res struct {
			Data   []user `json:"data"`
			Paging struct {
				Next string `json:"next"`
			} `json:"paging"`
		}
		params := url.Values{"offset": {strconv.Itoa(offset)}, "limit": {strconv.Itoa(s.o.PageSize)}, "sortField": {"username"}}
		if _, err := s.c.GetJSON(ctx, "/v2/users", params, &res); err != nil {
			s.log().Debug("opsgenie users not listed; people are named by username", "err", err, "users", len(names))
			return names
		}
		ids := make([]string, len(res.Data))
		for i, u := range res.Data {
			ids[i] = u.Username
		}
		if err := guard.Next("GET /v2/users", connectors.PageKey(ids...)); err != nil {
			s.log().Info("opsgenie users not listed to the end; the rest are named by username", "err", err, "users", len(names))
			return names
		}
		for _, u := range res.Data {
			if u.Username != "" && u.FullName != "" {
				names[strings.ToLower(u.Username)] = u.FullName
			}
		}
		if res.Paging.Next == "" || len(res.Data) < s.o.PageSize {
			return names
		}
		if page == s.o.MaxUserPages {
			s.log().Info("opsgenie users truncated; the rest are named by username", "pages", page, "users", len(names))
			return names
		}
		offset += len(res.Data)
	}
}

// Responders returns, for the team named by the target's opsgenie.com/team annotation, who
// is on call now in each enabled schedule the team owns (level: the escalation rule that
// pages the schedule, else 1) and the team's escalation as cumulative steps (Opsgenie rule
// delays already count from the alert's creation). Requests: one on-call request per team
// schedule (at most DefaultMaxSchedules), concurrently, preceded by the schedule and
// escalation listings only when Warm has not kept them.
// On-call people, and users in the escalation, are named by their full name from the user
// listing, else by their username; a username that is an e-mail is also the person's Email.
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
		p            escalation.Policy
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
	if esc != nil {
		p = policyOf(*esc, ref.name)
	}

	type result struct {
		ps    []participant
		tl    shifts.Timeline
		err   error
		tlErr error
	}
	now := s.o.Now().UTC()
	ahead := now
	if t.Ahead.After(now) {
		ahead = t.Ahead.UTC()
	}
	res := iter.Map(mine, func(sc *schedule) result {
		var (
			r   result
			in  conc.WaitGroup
			oc  struct{ OnCallParticipants []participant }
			sid = url.PathEscape(sc.ID)
		)
		in.Go(func() {
			r.err = s.get(ctx, "/v2/schedules/"+sid+"/on-calls", url.Values{"scheduleIdentifierType": {"id"}}, &oc)
		})
		in.Go(func() { r.tl, r.tlErr = s.timeline(ctx, sid, now, ahead) })
		in.Wait()
		r.ps = oc.OnCallParticipants
		return r
	})
	r := model.Responders{LooksAhead: true}
	for i, sc := range mine {
		if res[i].err != nil {
			return model.Responders{}, res[i].err
		}
		tl := res[i].tl
		if res[i].tlErr != nil {
			notes = append(notes, sc.Name+": shift ends unknown ("+res[i].tlErr.Error()+")")
		}
		r.LooksAhead = r.LooksAhead && res[i].tlErr == nil && tl.Reaches(ahead)
		level := levelOf(p.Steps, sc)
		users := flatten(res[i].ps)
		if len(users) == 0 {
			notes = append(notes, sc.Name+": no one on call")
		}
		for _, u := range users {
			r.OnCall = append(r.OnCall, s.shift(ref, u, level, sc, time.Time{}, tl.Until(u, now), false))
		}
		for _, p := range tl.Upcoming(now, ahead) {
			r.Upcoming = append(r.Upcoming, s.shift(ref, p.Who, level, sc, p.Start, p.End, p.Override))
		}
	}
	if len(mine) == 0 || ahead.Equal(now) {
		r.LooksAhead = false
	}
	sort.SliceStable(r.OnCall, func(i, j int) bool { return r.OnCall[i].Level < r.OnCall[j].Level })
	if esc != nil {
		r.Policy = esc.Name
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

// shift is an on-call shift of the user with the username, named by the user listing; a
// username that is an e-mail is also the person's Email.
func (s *Source) shift(ref reference, username string, level int, sc schedule, start, until time.Time, override bool) model.OnCall {
	oc := model.OnCall{Name: ref.name(username), Level: level, Start: start, Until: until, Schedule: sc.Name, Override: override, Source: SourceName}
	if strings.Contains(username, "@") {
		oc.Email = username
	}
	return oc
}

// timeline reads the schedule's final timeline (overrides in it) from the start of now's day
// through ahead, in whole days; its user periods are named by username.
func (s *Source) timeline(ctx context.Context, sid string, now, ahead time.Time) (shifts.Timeline, error) {
	var raw timeline
	q := url.Values{"identifierType": {"id"}, "date": {now.Format(time.RFC3339)}, "interval": {strconv.Itoa(shifts.Days(now, ahead))},
		"intervalUnit": {"days"}}
	if err := s.get(ctx, "/v2/schedules/"+sid+"/timeline", q, &raw); err != nil {
		return shifts.Timeline{}, err
	}
	tl := shifts.Timeline{Start: parseTime(raw.StartDate), End: parseTime(raw.EndDate)}
	for _, rot := range raw.FinalTimeline.Rotations {
		for _, p := range rot.Periods {
			if p.Recipient.Type == "user" && p.Recipient.Name != "" {
				tl.Periods = append(tl.Periods, shifts.Period{Start: parseTime(p.StartDate), End: parseTime(p.EndDate),
					Who: p.Recipient.Name, Override: p.Type == "override"})
			}
		}
	}
	return tl, nil
}

// ownedBy reports whether the owner team has the name or id.
func ownedBy(owner *teamMeta, team string) bool {
	return owner != nil && (strings.EqualFold(owner.Name, team) || owner.ID == team)
}

// levelOf is the 1-based level of the first step that pages the schedule, else 1.
func levelOf(steps []model.EscalationStep, sc schedule) int {
	for i, step := range steps {
		if slices.Contains(step.Targets, sc.Name) || slices.Contains(step.Targets, sc.ID) {
			return i + 1
		}
	}
	return 1
}

// policyOf maps an escalation to cumulative steps, ordered by delay, naming user
// recipients by name(username); it repeats repeat.count times, waitInterval minutes after
// its last rule.
func policyOf(e escalationPolicy, name func(string) string) escalation.Policy {
	rules := make([]escalation.Delayed, 0, len(e.Rules))
	for _, r := range e.Rules {
		target := r.Recipient.label()
		if r.Recipient.Type == "user" {
			target = name(target)
		}
		rules = append(rules, escalation.Delayed{AfterMinutes: escalation.Minutes(r.Delay.TimeAmount, r.Delay.TimeUnit), Target: target,
			Condition: escalation.ConditionOf(r.Condition)})
	}
	count, wait := 0, 0
	if e.Repeat != nil {
		count, wait = e.Repeat.Count, e.Repeat.WaitInterval
	}
	return escalation.FromDelays(rules, count, wait, SourceName)
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

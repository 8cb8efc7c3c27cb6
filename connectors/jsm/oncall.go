package jsm

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
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/escalation"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/shifts"
)

// reference is the site's teams, schedules and users, which Responders filters by team and
// names people with.
type reference struct {
	teams     []team
	schedules []schedule
	users     map[string]user // by account id
}

// referenceJSON is a reference in a snapshot.
type referenceJSON struct {
	Teams     []team          `json:"teams"`
	Schedules []schedule      `json:"schedules"`
	Users     map[string]user `json:"users,omitempty"`
}

// MarshalJSON encodes the listings.
func (r reference) MarshalJSON() ([]byte, error) {
	return json.Marshal(referenceJSON{r.teams, r.schedules, r.users})
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (r *reference) UnmarshalJSON(data []byte) error {
	var j referenceJSON
	err := json.Unmarshal(data, &j)
	*r = reference{j.Teams, j.Schedules, j.Users}
	return err
}

// kept is what a snapshot holds of the source: the cloud id, the listings and the teams'
// escalation policies.
type kept struct {
	Cloud       *cache.Memo[string]             `json:"cloud"`
	Reference   *cache.Memo[reference]          `json:"reference"`
	Escalations *cache.Memo[[]escalationPolicy] `json:"escalations"`
}

// Kept returns the cloud id, listings and escalation policies kept, for a snapshot
// (connectors.Keeper).
func (s *Source) Kept() (json.RawMessage, error) { return json.Marshal(kept{s.cloud, s.ref, s.escs}) }

// Keep takes back what Kept returned; the next Warm replaces the listings.
func (s *Source) Keep(data json.RawMessage) error {
	return json.Unmarshal(data, &kept{s.cloud, s.ref, s.escs})
}

// person returns the name and e-mail of the user with the account id (the id itself when
// the users listing does not name it).
func (r reference) person(id string) (name, email string) {
	if u, ok := r.users[id]; ok && u.DisplayName != "" {
		return u.DisplayName, u.EmailAddress
	}
	return id, ""
}

// Warm fetches the team, schedule and user listings again (concurrently, each paged to its
// end; first the cloud id when it is read from the site) and keeps them for ReferenceTTL,
// so that Responders asks only for the on-calls, shifts and escalations; while it runs,
// Responders uses the listings it replaces.
func (s *Source) Warm(ctx context.Context) error {
	_, err := s.ref.Refresh(ctx, "", s.fetchReference)
	return err
}

func (s *Source) reference(ctx context.Context) (reference, error) {
	return s.ref.Get(ctx, "", s.fetchReference)
}

// fetchReference reads the listings concurrently. Teams and schedules must be read; without
// the users, people are named by account id.
func (s *Source) fetchReference(ctx context.Context) (reference, error) {
	cloud, err := s.cloudID(ctx)
	if err != nil {
		return reference{}, err
	}
	var (
		r          reference
		tErr, sErr error
		wg         conc.WaitGroup
	)
	wg.Go(func() { r.teams, tErr = pages[team](ctx, s, opsPath(cloud, "/teams"), "platformTeams", 0) })
	wg.Go(func() { r.schedules, sErr = pages[schedule](ctx, s, opsPath(cloud, "/schedules"), "values", 0) })
	wg.Go(func() { r.users = s.users(ctx, cloud) })
	wg.Wait()
	if tErr != nil {
		return reference{}, tErr
	}
	if sErr != nil {
		return reference{}, sErr
	}
	return r, nil
}

// pages reads an operations API listing (config scope) with offset/size, following
// links.next to the end (at most MaxPages, or maxPages when positive). A page that repeats
// an earlier one fails the listing (connectors.ErrPagingLoop).
func pages[T any](ctx context.Context, s *Source, path, key string, maxPages int) ([]T, error) {
	if maxPages <= 0 {
		maxPages = s.o.MaxPages
	}
	var out []T
	var guard connectors.Pages
	for page, offset := 0, 0; page < maxPages; page++ {
		var res map[string]json.RawMessage
		if err := s.get(ctx, path, url.Values{"offset": {strconv.Itoa(offset)}, "size": {strconv.Itoa(s.o.PageSize)}}, &res, scopeConfig); err != nil {
			return nil, err
		}
		var items []T
		var l links
		if raw := res[key]; len(raw) > 0 {
			if err := json.Unmarshal(raw, &items); err != nil {
				return nil, fmt.Errorf("%s: malformed %s in GET %s: %w", SourceName, key, path, err)
			}
		}
		if raw := res["links"]; len(raw) > 0 {
			_ = json.Unmarshal(raw, &l) // a malformed link ends the listing
		}
		if len(items) > 0 {
			if err := guard.Next("GET "+path, string(res[key])); err != nil { // the offset was ignored
				return nil, err
			}
		}
		out = append(out, items...)
		if l.Next == "" || len(items) < s.o.PageSize {
			return out, nil
		}
		offset += len(items)
	}
	s.o.Logger.Info("jsm listing truncated", "path", path, "pages", maxPages, "items", len(out))
	return out, nil
}

// users maps the account ids of the site's people to their users, from GET
// /rest/api/3/users/search paged with startAt/maxResults to the end (at most MaxUserPages).
// A failure (e.g. 403 without the Browse users and groups permission) is logged and keeps
// what was read: the others are named by account id.
func (s *Source) users(ctx context.Context, cloud string) map[string]user {
	c, path := s.usersAt(cloud)
	out := map[string]user{}
	var guard connectors.Pages
	for page, start := 1, 0; ; page++ {
		var us []user
		q := url.Values{"startAt": {strconv.Itoa(start)}, "maxResults": {strconv.Itoa(s.o.UserPageSize)}}
		if _, err := c.GetJSON(ctx, path, q, &us); err != nil {
			s.o.Logger.Debug("jsm users not listed; people are named by account id", "err", wrap(err, scopeUsers), "users", len(out))
			return out
		}
		ids := make([]string, len(us))
		for i, u := range us {
			ids[i] = u.AccountID
		}
		if err := guard.Next(path, connectors.PageKey(ids...)); err != nil {
			s.o.Logger.Info("jsm users not listed to the end; the rest are named by account id", "err", err, "users", len(out))
			return out
		}
		for _, u := range us {
			if u.AccountID != "" && u.AccountType != "app" {
				out[u.AccountID] = u
			}
		}
		if len(us) < s.o.UserPageSize {
			return out
		}
		if page == s.o.MaxUserPages {
			s.o.Logger.Info("jsm users truncated; the rest are named by account id", "pages", page, "users", len(out))
			return out
		}
		start += len(us)
	}
}

// escalations returns the team's escalations, kept for ReferenceTTL.
func (s *Source) escalations(ctx context.Context, cloud, teamID string) ([]escalationPolicy, error) {
	return s.escs.Get(ctx, teamID, func(ctx context.Context) ([]escalationPolicy, error) {
		return pages[escalationPolicy](ctx, s, opsPath(cloud, "/teams/"+url.PathEscape(teamID)+"/escalations"), "values", 0)
	})
}

// Responders returns, for the team named by the target's opsgenie.com/team annotation (a
// JSM team name or id), who is on call now in each enabled schedule the team owns, until
// when (the end of their shift in the schedule's timeline, when the timeline shows it), at
// the level of the escalation rule that pages the schedule (else 1), and the team's
// escalation as cumulative steps (rule delays count from the alert's creation). Requests,
// concurrently: per team schedule (at most DefaultMaxSchedules) its on-calls and its
// timeline, and the team's escalations unless kept; the listings come from Warm.
func (s *Source) Responders(ctx context.Context, t model.Target) (model.Responders, error) {
	name := t.Annotation(AnnotationTeam)
	if name == "" {
		return model.Responders{}, nil
	}
	ref, err := s.reference(ctx)
	if err != nil {
		return model.Responders{}, err
	}
	cloud, err := s.cloudID(ctx)
	if err != nil {
		return model.Responders{}, err
	}
	i := slices.IndexFunc(ref.teams, func(tm team) bool { return strings.EqualFold(tm.Name, name) || tm.ID == name })
	if i < 0 {
		return model.Responders{Note: "no JSM Operations team " + name}, nil
	}
	tm := ref.teams[i]
	var notes []string
	var mine []schedule
	for _, sc := range ref.schedules {
		if sc.Enabled && sc.TeamID == tm.ID {
			mine = append(mine, sc)
		}
	}
	if len(mine) > DefaultMaxSchedules {
		notes = append(notes, fmt.Sprintf("%d schedules of team %s; on-call shown for the first %d", len(mine), tm.Name, DefaultMaxSchedules))
		mine = mine[:DefaultMaxSchedules]
	}

	type shift struct {
		ps    []participant
		tl    timeline
		err   error
		tlErr error
	}
	var (
		escs   []escalationPolicy
		escErr error
		res    []shift
		wg     conc.WaitGroup
	)
	now := s.o.Now().UTC()
	ahead := now
	if t.Ahead.After(now) {
		ahead = t.Ahead.UTC()
	}
	wg.Go(func() { escs, escErr = s.escalations(ctx, cloud, tm.ID) })
	wg.Go(func() {
		res = iter.Map(mine, func(sc *schedule) shift {
			var (
				sh  shift
				in  conc.WaitGroup
				oc  struct{ OnCallParticipants []participant }
				sid = url.PathEscape(sc.ID)
			)
			in.Go(func() { sh.err = s.get(ctx, opsPath(cloud, "/schedules/"+sid+"/on-calls"), nil, &oc, scopeConfig) })
			in.Go(func() {
				sh.tlErr = s.get(ctx, opsPath(cloud, "/schedules/"+sid+"/timeline"), url.Values{"date": {now.Format(time.RFC3339)},
					"interval": {strconv.Itoa(shifts.Days(now, ahead))}, "intervalUnit": {"days"}}, &sh.tl, scopeConfig)
			})
			in.Wait()
			sh.ps = oc.OnCallParticipants
			return sh
		})
	})
	wg.Wait()
	if escErr != nil {
		return model.Responders{}, escErr
	}
	var esc *escalationPolicy
	var owned []string
	for i := range escs {
		if escs[i].Enabled {
			owned = append(owned, escs[i].Name)
			if esc == nil {
				esc = &escs[i]
			}
		}
	}
	if len(owned) > 1 {
		notes = append(notes, fmt.Sprintf("team %s has escalations %s; showing %s", tm.Name, strings.Join(owned, ", "), esc.Name))
	}
	var p escalation.Policy
	if esc != nil {
		p = policyOf(*esc, ref, escs)
	}

	r := model.Responders{LooksAhead: len(mine) > 0 && ahead.After(now)}
	for i, sc := range mine {
		sh := res[i]
		if sh.err != nil {
			return model.Responders{}, sh.err
		}
		if sh.tlErr != nil {
			notes = append(notes, sc.Name+": shift ends unknown ("+sh.tlErr.Error()+")")
		}
		tl := sh.tl.final()
		r.LooksAhead = r.LooksAhead && sh.tlErr == nil && tl.Reaches(ahead)
		ids := users(sh.ps)
		if len(ids) == 0 {
			notes = append(notes, sc.Name+": no one on call")
		}
		level := levelOf(p.Steps, sc)
		shift := func(id string, start, until time.Time, override bool) model.OnCall {
			n, e := ref.person(id)
			return model.OnCall{Name: n, Email: e, Level: level, Start: start, Until: until, Schedule: sc.Name, Override: override, Source: SourceName}
		}
		for _, id := range ids {
			r.OnCall = append(r.OnCall, shift(id, time.Time{}, tl.Until(id, now), false))
		}
		for _, p := range tl.Upcoming(now, ahead) {
			r.Upcoming = append(r.Upcoming, shift(p.Who, p.Start, p.End, p.Override))
		}
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

// users returns the account ids of the user participants, at any depth, once each.
func users(ps []participant) []string {
	var out []string
	var walk func([]participant)
	walk = func(ps []participant) {
		for _, p := range ps {
			if p.Type == "user" && p.ID != "" && !slices.Contains(out, p.ID) {
				out = append(out, p.ID)
			}
			walk(p.OnCallParticipants)
		}
	}
	walk(ps)
	return out
}

// final reads the timeline as who is on call when: a period names its user responder, or
// the users behind a team or escalation responder.
func (tl timeline) final() shifts.Timeline {
	out := shifts.Timeline{Start: parseTime(tl.StartDate), End: parseTime(tl.EndDate)}
	for _, rot := range tl.FinalTimeline.Rotations {
		for _, p := range rot.Periods {
			who := []string{}
			if p.Responder.Type == "user" || p.Responder.Type == "" && p.Responder.ID != "" {
				who = append(who, p.Responder.ID)
			}
			for _, r := range p.FlattenedResponders {
				if !slices.Contains(who, r.ID) {
					who = append(who, r.ID)
				}
			}
			for _, id := range who {
				out.Periods = append(out.Periods, shifts.Period{Start: parseTime(p.StartDate), End: parseTime(p.EndDate), Who: id, Override: p.Type == "override"})
			}
		}
	}
	return out
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

// policyOf maps an escalation to cumulative steps naming each recipient: users by name,
// schedules, teams and escalations by their names where the listings have them.
func policyOf(e escalationPolicy, ref reference, escs []escalationPolicy) escalation.Policy {
	rules := make([]escalation.Delayed, 0, len(e.Rules))
	for _, r := range e.Rules {
		rules = append(rules, escalation.Delayed{AfterMinutes: escalation.Minutes(r.Delay.TimeAmount, r.Delay.TimeUnit), Condition: escalation.ConditionOf(r.Condition),
			Target: recipientName(r.Recipient, ref, escs)})
	}
	count, wait := 0, 0
	if e.Repeat != nil {
		count, wait = e.Repeat.Count, e.Repeat.WaitInterval
	}
	return escalation.FromDelays(rules, count, wait, SourceName)
}

func recipientName(r responder, ref reference, escs []escalationPolicy) string {
	switch r.Type {
	case "user":
		n, _ := ref.person(r.ID)
		return n
	case "schedule":
		if i := slices.IndexFunc(ref.schedules, func(s schedule) bool { return s.ID == r.ID }); i >= 0 {
			return ref.schedules[i].Name
		}
	case "team":
		if i := slices.IndexFunc(ref.teams, func(t team) bool { return t.ID == r.ID }); i >= 0 {
			return ref.teams[i].Name
		}
	case "escalation":
		if i := slices.IndexFunc(escs, func(e escalationPolicy) bool { return e.ID == r.ID }); i >= 0 {
			return escs[i].Name
		}
	}
	if r.ID == "" {
		return r.Type
	}
	return r.ID
}

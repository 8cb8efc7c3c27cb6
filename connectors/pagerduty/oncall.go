package pagerduty

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/sourcegraph/conc"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/escalation"
	"github.com/opsctx/opsctx/internal/model"
)

// Responders returns who is on call now for the target's service, per escalation level,
// and who takes over until t.Ahead (GET /oncalls for its escalation policy from now to
// t.Ahead, with users embedded for their e-mail: PagerDuty lists the final schedule, so
// overrides are in it), and the policy's rules as cumulative escalation steps. The policy id
// comes from the catalog, or from one GET /services/{id} when the catalog has not been read.
func (s *Source) Responders(ctx context.Context, t model.Target) (model.Responders, error) {
	ids := serviceIDs(s.Name(), t)
	if len(ids) == 0 {
		return model.Responders{}, nil
	}
	epID, err := s.policyFor(ctx, ids[0])
	if err != nil || epID == "" {
		return model.Responders{}, err
	}
	var (
		pol        policy
		ocs        []oncall
		pErr, oErr error
		wg         conc.WaitGroup
	)
	now := s.o.Now().UTC()
	until := now
	if t.Ahead.After(now) {
		until = t.Ahead.UTC()
	}
	wg.Go(func() {
		var out struct {
			EscalationPolicy policy `json:"escalation_policy"`
		}
		_, pErr = s.c.GetJSON(ctx, "/escalation_policies/"+url.PathEscape(epID), nil, &out)
		pol = out.EscalationPolicy
	})
	wg.Go(func() {
		q := url.Values{"escalation_policy_ids[]": {epID}, "include[]": {"users"},
			"since": {now.Format(time.RFC3339)}, "until": {until.Format(time.RFC3339)}}
		ocs, oErr = listAll[oncall](ctx, s, "/oncalls", q, "oncalls")
	})
	wg.Wait()
	if pErr != nil {
		return model.Responders{}, wrap(pErr)
	}
	if oErr != nil && !connectors.IsIncomplete(oErr) {
		return model.Responders{}, oErr
	}
	r := responders(pol, ocs, now)
	r.LooksAhead = until.After(now) && oErr == nil // cut short, a missing successor is unknown, not absent
	return r, oErr
}

// policyFor returns the escalation policy id of a service.
func (s *Source) policyFor(ctx context.Context, serviceID string) (string, error) {
	s.mu.Lock()
	ep := s.policyOf[serviceID]
	s.mu.Unlock()
	if ep != "" {
		return ep, nil
	}
	var out struct {
		Service service `json:"service"`
	}
	if _, err := s.c.GetJSON(ctx, "/services/"+url.PathEscape(serviceID), nil, &out); err != nil {
		return "", wrap(err)
	}
	ep = out.Service.EscalationPolicy.ID
	s.mu.Lock()
	s.policyOf[serviceID] = ep
	s.mu.Unlock()
	return ep, nil
}

// responders maps a policy and its on-call entries to the model: the entries that hold now
// are on call, those that begin later are upcoming.
func responders(pol policy, ocs []oncall, now time.Time) model.Responders {
	r := model.Responders{Policy: pol.Name}
	idx := map[string]int{}
	for _, o := range ocs {
		name := o.User.label()
		if name == "" {
			continue
		}
		oc := model.OnCall{Name: name, Email: o.User.Email, Level: o.EscalationLevel, Start: parseTime(o.Start), Until: parseTime(o.End), Source: SourceName}
		if o.Schedule != nil {
			oc.Schedule = o.Schedule.label()
		}
		if oc.Start.After(now) {
			r.Upcoming = append(r.Upcoming, oc)
			continue
		}
		key := fmt.Sprintf("%d|%s", oc.Level, name)
		if i, ok := idx[key]; ok { // on call at this level through several schedules: keep the longest
			if cur := &r.OnCall[i]; !cur.Until.IsZero() && (oc.Until.IsZero() || oc.Until.After(cur.Until)) {
				cur.Until = oc.Until
			}
			continue
		}
		idx[key] = len(r.OnCall)
		r.OnCall = append(r.OnCall, oc)
	}
	sort.SliceStable(r.OnCall, func(i, j int) bool { return r.OnCall[i].Level < r.OnCall[j].Level })
	sort.SliceStable(r.Upcoming, func(i, j int) bool { return r.Upcoming[i].Start.Before(r.Upcoming[j].Start) })

	rules := make([]escalation.Rule, 0, len(pol.EscalationRules))
	for _, rule := range pol.EscalationRules {
		var targets []string
		for _, t := range rule.Targets {
			targets = append(targets, t.label())
		}
		rules = append(rules, escalation.Rule{Targets: targets, DelayMinutes: rule.EscalationDelayInMinutes})
	}
	p := escalation.FromRules(rules, pol.NumLoops, SourceName)
	r.Escalation, r.Loops, r.CycleMinutes = p.Steps, p.Loops, p.CycleMinutes
	var notes []string
	for _, l := range escalation.Staff(escalation.Timeline(p, now, now), r.OnCall) {
		if l.Unstaffed && l.Loop == 0 {
			notes = append(notes, fmt.Sprintf("level %d (%s): no one on call", l.Level, strings.Join(l.Targets, ", ")))
		}
	}
	if p.Loops > 0 && len(p.Steps) > 0 {
		notes = append(notes, fmt.Sprintf("%s repeats %d more time(s), every %d min", pol.Name, p.Loops, p.CycleMinutes))
	}
	r.Note = strings.Join(notes, "; ")
	return r
}

// kept is what a snapshot holds of the source: each service's escalation policy (from the
// catalog), and as hints the ids of the incidents each service had open when last listed
// (see known.hints: read ahead from, never shown).
type kept struct {
	PolicyOf map[string]string `json:"policy_of,omitempty"`
	Open     map[string][]hint `json:"open,omitempty"`
}

// Kept returns each service's escalation policy id and the hints of its open incidents, for
// a snapshot (connectors.Keeper).
func (s *Source) Kept() (json.RawMessage, error) {
	k := kept{Open: s.known.hints()}
	s.mu.Lock()
	k.PolicyOf = maps.Clone(s.policyOf)
	s.mu.Unlock()
	if len(k.PolicyOf) == 0 && len(k.Open) == 0 {
		return nil, nil
	}
	return json.Marshal(k)
}

// Keep takes back what Kept returned; the next Catalog replaces the policies, the next
// listing of a service its hints.
func (s *Source) Keep(data json.RawMessage) error {
	var k kept
	if err := json.Unmarshal(data, &k); err != nil {
		return err
	}
	s.known.take(k.Open)
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, ep := range k.PolicyOf {
		if _, ok := s.policyOf[id]; !ok {
			s.policyOf[id] = ep
		}
	}
	return nil
}

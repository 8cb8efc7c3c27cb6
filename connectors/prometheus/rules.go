package prometheus

import (
	"context"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/alertlabels"
	"github.com/opsctx/opsctx/internal/model"
)

// Rule is an alerting rule with its evaluation state.
type Rule struct {
	Group string
	File  string
	Name  string
	Query string
	// For is how long the condition must hold before the alert fires.
	For         time.Duration
	Labels      map[string]string
	Annotations map[string]string
	State       string // inactive, pending, firing
	Health      string // ok, err, unknown
	LastError   string
	RunbookURL  string
	// Alerts are the rule's pending and firing alerts.
	Alerts []model.Alert
}

// Rules returns every alerting rule, paging by group_limit/groupNextToken where the
// server supports it (older servers answer in one page). It reads the server each time:
// state, health and alerts are live, unlike the kept listing of SLO rules.
func (s *Source) Rules(ctx context.Context) ([]Rule, error) {
	groups, err := s.ruleGroups(ctx, url.Values{"type": {"alert"}})
	if err != nil {
		return nil, err
	}
	var out []Rule
	for _, g := range groups {
		for _, r := range g.Rules {
			if r.Type != "alerting" {
				continue
			}
			rule := Rule{Group: g.Name, File: g.File, Name: r.Name, Query: r.Query,
				For: time.Duration(r.Duration * float64(time.Second)), Labels: r.Labels, Annotations: r.Annotations,
				State: r.State, Health: r.Health, LastError: r.LastError, RunbookURL: r.Annotations["runbook_url"]}
			for _, a := range r.Alerts {
				rule.Alerts = append(rule.Alerts, s.alert(a))
			}
			out = append(out, rule)
		}
	}
	return out, nil
}

// sloRules returns the rule listing SLO discovery and AlertedServices read, kept for
// ReferenceTTL (concurrent callers, Warm among them, share one fetch): every group with its
// rules, without alerts (live, not kept). One unfiltered listing serves both, so no second
// rules request follows.
func (s *Source) sloRules(ctx context.Context) ([]ruleGroup, error) {
	return s.rules.Get(ctx, "slo", s.fetchSLORules)
}

// fetchSLORules reads the rule listing and keeps it without the alerts, and from the same
// listing every alerting rule's `for` (see pendingFor).
func (s *Source) fetchSLORules(ctx context.Context) ([]ruleGroup, error) {
	gs, err := s.ruleGroups(ctx, url.Values{"exclude_alerts": {"true"}})
	if err == nil {
		s.fors.Put("", forsOf(gs))
	}
	for i := range gs {
		for j := range gs[i].Rules {
			gs[i].Rules[j].Alerts = nil // servers before exclude_alerts send them: live, not kept
		}
	}
	return gs, err
}

// serviceMatcher finds an equality matcher on a label in a PromQL expression:
// service="checkout", job = "orders-db".
var serviceMatcher = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"`)

// AlertedServices names the services the alerting rules of the kept listing cover: a rule's
// static labels name its service (the service label, Sloth's sloth_service, the
// fallbacks), else its expression selects one with an equality matcher on one of those
// labels. Rules that name no service are left out.
func (s *Source) AlertedServices(ctx context.Context) ([]string, error) {
	groups, err := s.sloRules(ctx)
	if err != nil {
		return nil, err
	}
	labels := alertlabels.ServiceLabels(s.o.Labels.Service, s.o.Fallbacks)
	var out []string
	for _, g := range groups {
		for _, r := range g.Rules {
			if r.Type != "alerting" {
				continue
			}
			svc := s.service(r.Labels)
			for _, m := range serviceMatcher.FindAllStringSubmatch(r.Query, -1) {
				if svc == "" && slices.Contains(labels, m[1]) {
					svc = m[2]
				}
			}
			if svc != "" && !slices.Contains(out, svc) {
				out = append(out, svc)
			}
		}
	}
	return out, nil
}

// ruleGroup is a rule group of /api/v1/rules.
type ruleGroup struct {
	Name  string    `json:"name"`
	File  string    `json:"file"`
	Rules []rawRule `json:"rules"`
}

// rawRule is an alerting or recording rule of /api/v1/rules.
type rawRule struct {
	Type        string            `json:"type"` // alerting, recording
	Name        string            `json:"name"`
	Query       string            `json:"query"`
	Duration    float64           `json:"duration"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	State       string            `json:"state"`
	Health      string            `json:"health"`
	LastError   string            `json:"lastError"`
	Alerts      []alert           `json:"alerts"`
}

// ruleGroups reads /api/v1/rules with q (type, rule_group[], ...), paging by
// group_limit/group_next_token up to MaxPages (servers before v3 ignore group_limit and
// answer in one page). A group_next_token handed out twice fails the listing
// (connectors.ErrPagingLoop).
func (s *Source) ruleGroups(ctx context.Context, q url.Values) ([]ruleGroup, error) {
	q.Set("group_limit", strconv.Itoa(s.o.GroupLimit))
	var out []ruleGroup
	var guard connectors.Pages
	for page := 1; ; page++ {
		var data struct {
			Groups         []ruleGroup `json:"groups"`
			GroupNextToken string      `json:"groupNextToken"`
		}
		if err := get(ctx, s.o.Client, "api/v1/rules", q, &data); err != nil {
			return nil, err
		}
		out = append(out, data.Groups...)
		if data.GroupNextToken == "" {
			return out, nil
		}
		if page >= s.o.MaxPages {
			slog.Default().Warn("prometheus rules truncated", "type", q.Get("type"), "pages", page, "groups", len(out))
			return out, nil
		}
		if err := guard.Next("GET /api/v1/rules", data.GroupNextToken); err != nil {
			return nil, err
		}
		q.Set("group_next_token", data.GroupNextToken)
	}
}

// ruleFor is an alerting rule's static labels and `for`: what a pending alert of the rule
// waits for before it fires.
type ruleFor struct {
	Labels map[string]string `json:"labels,omitempty"`
	Wait   time.Duration     `json:"wait"`
}

// forsOf keeps every alerting rule's `for`, by rule name.
func forsOf(gs []ruleGroup) map[string][]ruleFor {
	out := map[string][]ruleFor{}
	for _, g := range gs {
		for _, r := range g.Rules {
			if r.Type == "alerting" {
				out[r.Name] = append(out[r.Name], ruleFor{Labels: r.Labels, Wait: time.Duration(r.Duration * float64(time.Second))})
			}
		}
	}
	return out
}

// knowFors makes sure the rules' `for` are known, reading the rule listing (shared with
// Warm and SLO discovery) when they are not kept yet; a failed read leaves them unknown.
func (s *Source) knowFors(ctx context.Context) {
	if _, ok := s.fors.Last(""); !ok {
		_, _ = s.sloRules(ctx)
	}
}

// pendingFor is the `for` of the rule a pending alert belongs to (same name, its static
// labels among the alert's), from the rule listing last read; false when it is not known.
func (s *Source) pendingFor(labels map[string]string) (time.Duration, bool) {
	fors, ok := s.fors.Last("")
	if !ok {
		return 0, false
	}
	for _, r := range fors[labels["alertname"]] {
		if matchesAll(r.Labels, labels) {
			return r.Wait, true
		}
	}
	return 0, false
}

func matchesAll(want, have map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}

package alertmanager

import (
	"context"
	"maps"
	"net/url"
	"slices"
	"time"

	"github.com/opsctx/opsctx/internal/model"
)

// Group is an alert group: alerts routed together to one receiver, by its group labels.
type Group struct {
	Labels   map[string]string
	Receiver string
	Alerts   []model.Alert
}

// Groups returns the alert groups holding alerts of t and its Related services (every
// group for a zero target), with the same filters as Alerts.
func (s *Source) Groups(ctx context.Context, t model.Target) ([]Group, error) {
	sets := [][]string{nil}
	if t.Name != "" {
		sets = s.filterSets(names(t))
	}
	var out []Group
	for _, filters := range sets {
		var got []struct {
			Labels   map[string]string `json:"labels"`
			Receiver struct {
				Name string `json:"name"`
			} `json:"receiver"`
			Alerts []gettableAlert `json:"alerts"`
		}
		q := url.Values{}
		if len(filters) > 0 {
			q["filter"] = filters
		}
		if _, err := s.o.Client.GetJSON(ctx, "api/v2/alerts/groups", q, &got); err != nil {
			return nil, wrap(err)
		}
		for _, g := range got {
			i := slices.IndexFunc(out, func(x Group) bool { return x.Receiver == g.Receiver.Name && maps.Equal(x.Labels, g.Labels) })
			if i < 0 {
				out = append(out, Group{Labels: g.Labels, Receiver: g.Receiver.Name})
				i = len(out) - 1
			}
			for _, a := range g.Alerts {
				if !slices.ContainsFunc(out[i].Alerts, func(x model.Alert) bool { return x.ID == a.Fingerprint }) {
					out[i].Alerts = append(out[i].Alerts, s.alert(a))
				}
			}
		}
	}
	return out, nil
}

// Silence is an Alertmanager silence.
type Silence struct {
	ID    string
	State string // active, pending
	// Matchers are rendered as name=value, name!=value, name=~re or name!~re.
	Matchers  []string
	StartsAt  time.Time
	EndsAt    time.Time
	CreatedBy string
	Comment   string
}

// Silences returns the active and pending silences (expired ones are skipped, since
// v0.25 cannot filter them out).
func (s *Source) Silences(ctx context.Context) ([]Silence, error) {
	var got []struct {
		ID     string `json:"id"`
		Status struct {
			State string `json:"state"`
		} `json:"status"`
		Matchers []struct {
			Name    string `json:"name"`
			Value   string `json:"value"`
			IsRegex bool   `json:"isRegex"`
			IsEqual *bool  `json:"isEqual"`
		} `json:"matchers"`
		StartsAt  time.Time `json:"startsAt"`
		EndsAt    time.Time `json:"endsAt"`
		CreatedBy string    `json:"createdBy"`
		Comment   string    `json:"comment"`
	}
	if _, err := s.o.Client.GetJSON(ctx, "api/v2/silences", nil, &got); err != nil {
		return nil, wrap(err)
	}
	var out []Silence
	for _, g := range got {
		if g.Status.State == "expired" {
			continue
		}
		sil := Silence{ID: g.ID, State: g.Status.State, StartsAt: g.StartsAt.UTC(), EndsAt: g.EndsAt.UTC(), CreatedBy: g.CreatedBy, Comment: g.Comment}
		for _, m := range g.Matchers {
			eq := m.IsEqual == nil || *m.IsEqual
			op := map[[2]bool]string{{false, true}: "=", {false, false}: "!=", {true, true}: "=~", {true, false}: "!~"}[[2]bool{m.IsRegex, eq}]
			sil.Matchers = append(sil.Matchers, m.Name+op+quoteValue(m.Value))
		}
		out = append(out, sil)
	}
	return out, nil
}

package alertmanager

import (
	"context"
	"maps"
	"net/url"
	"slices"
	"time"

	"github.com/opsctx/opsctx/internal/alertlabels"
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
		sets = s.filterSets(alertlabels.Names(t))
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

// wireSilence is the v2 gettableSilence, limited to what opsctx reads.
type wireSilence struct {
	ID     string `json:"id"`
	Status struct {
		State string `json:"state"`
	} `json:"status"`
	Matchers []struct {
		Name    string `json:"name"`
		Value   string `json:"value"`
		IsRegex bool   `json:"isRegex"`
		IsEqual *bool  `json:"isEqual"` // absent before v0.22: equal
	} `json:"matchers"`
	StartsAt  time.Time `json:"startsAt"`
	EndsAt    time.Time `json:"endsAt"`
	CreatedBy string    `json:"createdBy"`
	Comment   string    `json:"comment"`
}

// silences reads the active and pending silences (expired ones are skipped, since v0.25
// cannot filter them out).
func (s *Source) silences(ctx context.Context) ([]wireSilence, error) {
	var got []wireSilence
	if _, err := s.o.Client.GetJSON(ctx, "api/v2/silences", nil, &got); err != nil {
		return nil, wrap(err)
	}
	return slices.DeleteFunc(got, func(g wireSilence) bool { return g.Status.State == "expired" }), nil
}

// Silences returns the active and pending silences.
func (s *Source) Silences(ctx context.Context) ([]Silence, error) {
	got, err := s.silences(ctx)
	if err != nil {
		return nil, err
	}
	var out []Silence
	for _, g := range got {
		sil := Silence{ID: g.ID, State: g.Status.State, StartsAt: g.StartsAt.UTC(), EndsAt: g.EndsAt.UTC(), CreatedBy: g.CreatedBy, Comment: g.Comment}
		for _, m := range mute(g).Matchers {
			sil.Matchers = append(sil.Matchers, m.Name+m.Op()+quoteValue(m.Value))
		}
		out = append(out, sil)
	}
	return out, nil
}

// Mutes returns the silences that are active now or start before t.Ahead (pending ones
// starting later are left out), whatever the target: which alerts a silence covers depends
// on their labels, which the answer matches.
func (s *Source) Mutes(ctx context.Context, t model.Target) ([]model.Mute, error) {
	got, err := s.silences(ctx)
	if err != nil {
		return nil, err
	}
	out := []model.Mute{}
	for _, g := range got {
		if g.Status.State == "pending" && (t.Ahead.IsZero() || !g.StartsAt.Before(t.Ahead)) {
			continue
		}
		out = append(out, mute(g))
	}
	return out, nil
}

// mute maps a silence.
func mute(g wireSilence) model.Mute {
	m := model.Mute{ID: g.ID, Kind: model.MuteSilence, Title: g.Comment, StartsAt: g.StartsAt.UTC(), EndsAt: g.EndsAt.UTC(),
		CreatedBy: g.CreatedBy, Source: SourceName}
	for _, x := range g.Matchers {
		m.Matchers = append(m.Matchers, model.Matcher{Name: x.Name, Value: x.Value, Regex: x.IsRegex, Negative: x.IsEqual != nil && !*x.IsEqual})
	}
	return m
}

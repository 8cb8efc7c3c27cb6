package alertmanager

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// flags are the boolean query parameters of /alerts and /alerts/groups (default true).
type flags struct{ active, silenced, inhibited, unprocessed, muted bool }

func parseFlags(q url.Values) (flags, string) {
	f := flags{true, true, true, true, true}
	for name, dst := range map[string]*bool{"active": &f.active, "silenced": &f.silenced, "inhibited": &f.inhibited,
		"unprocessed": &f.unprocessed, "muted": &f.muted} {
		if v := q.Get(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return f, "parsing " + name + " param: " + strconv.Quote(v) + " is not a valid boolean"
			}
			*dst = b
		}
	}
	return f, ""
}

// status is an alert's computed status.
type status struct {
	State       string   `json:"state"`
	SilencedBy  []string `json:"silencedBy"`
	InhibitedBy []string `json:"inhibitedBy"`
	MutedBy     []string `json:"mutedBy,omitempty"`
}

// gettable renders the gettableAlert shape.
func (s *Server) gettable(a Alert, st status, now time.Time) map[string]any {
	ends := a.EndsAt
	if ends.IsZero() {
		ends = now.Add(5 * time.Minute)
	}
	out := map[string]any{
		"labels": a.Labels, "annotations": nonNilMap(a.Annotations), "fingerprint": Fingerprint(a.Labels),
		"startsAt": a.StartsAt.UTC(), "endsAt": ends.UTC(), "updatedAt": now,
		"receivers": []map[string]string{{"name": s.opts.Receiver}}, "status": st,
	}
	if a.GeneratorURL != "" {
		out["generatorURL"] = a.GeneratorURL
	}
	if !s.opts.Legacy {
		st.MutedBy = []string{}
		out["status"] = map[string]any{"state": st.State, "silencedBy": st.SilencedBy, "inhibitedBy": st.InhibitedBy, "mutedBy": st.MutedBy}
	}
	return out
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// selected returns the alerts the query asks for, with their status, sorted by fingerprint.
func (s *Server) selected(w http.ResponseWriter, r *http.Request) ([]Alert, []status, flags, bool) {
	q := r.URL.Query()
	f, msg := parseFlags(q)
	if msg != "" {
		badRequest(w, msg)
		return nil, nil, f, false
	}
	var ms []matcher
	for _, v := range q["filter"] {
		m, err := s.filter(v)
		if err != nil {
			badRequest(w, err.Error())
			return nil, nil, f, false
		}
		ms = append(ms, m)
	}
	if rv := q.Get("receiver"); rv != "" {
		re, err := newMatcher("receiver", rv, true, true)
		if err != nil {
			badRequest(w, err.Error())
			return nil, nil, f, false
		}
		if !re.matches(map[string]string{"receiver": s.opts.Receiver}) {
			return nil, nil, f, true
		}
	}
	now := s.opts.Now().UTC()
	s.mu.Lock()
	alerts, silences := slices.Clone(s.alerts), slices.Clone(s.silences)
	s.mu.Unlock()
	type active struct {
		id string
		ms []matcher
	}
	var actives []active
	for _, sil := range silences {
		if sm, err := silenceMatchers(sil); err == nil && silenceState(sil, now) == "active" {
			actives = append(actives, active{sil.ID, sm})
		}
	}
	var outA []Alert
	var outS []status
	for _, a := range byFingerprint(alerts) {
		if !matchAll(ms, a.Labels) || !a.EndsAt.IsZero() && a.EndsAt.Before(now) {
			continue
		}
		st := status{State: "active", SilencedBy: []string{}, InhibitedBy: append([]string{}, a.InhibitedBy...)}
		for _, sil := range actives {
			if matchAll(sil.ms, a.Labels) {
				st.SilencedBy = append(st.SilencedBy, sil.id)
			}
		}
		switch {
		case len(st.SilencedBy)+len(st.InhibitedBy) > 0:
			st.State = "suppressed"
		case a.Unprocessed:
			st.State = "unprocessed"
		}
		if !f.active && st.State == "active" || !f.unprocessed && st.State == "unprocessed" ||
			!f.silenced && len(st.SilencedBy) > 0 || !f.inhibited && len(st.InhibitedBy) > 0 {
			continue
		}
		outA, outS = append(outA, a), append(outS, st)
	}
	return outA, outS, f, true
}

// filter parses a ?filter= value, once per server.
func (s *Server) filter(v string) (matcher, error) {
	s.mu.Lock()
	m, ok := s.filters[v]
	s.mu.Unlock()
	if ok {
		return m, nil
	}
	m, err := parseMatcher(v)
	if err != nil {
		return m, err
	}
	s.mu.Lock()
	if s.filters == nil {
		s.filters = map[string]matcher{}
	}
	s.filters[v] = m
	s.mu.Unlock()
	return m, nil
}

// byFingerprint sorts alerts in place by fingerprint, as Alertmanager lists them.
func byFingerprint(alerts []Alert) []Alert {
	type keyed struct {
		fp string
		a  Alert
	}
	ks := make([]keyed, len(alerts))
	for i, a := range alerts {
		ks[i] = keyed{Fingerprint(a.Labels), a}
	}
	slices.SortStableFunc(ks, func(x, y keyed) int { return strings.Compare(x.fp, y.fp) })
	for i := range ks {
		alerts[i] = ks[i].a
	}
	return alerts
}

func (s *Server) getAlerts(w http.ResponseWriter, r *http.Request) {
	alerts, sts, _, ok := s.selected(w, r)
	if !ok {
		return
	}
	now := s.opts.Now().UTC()
	out := []map[string]any{}
	for i, a := range alerts {
		out = append(out, s.gettable(a, sts[i], now))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getGroups(w http.ResponseWriter, r *http.Request) {
	alerts, sts, f, ok := s.selected(w, r)
	if !ok {
		return
	}
	now := s.opts.Now().UTC()
	type group struct {
		labels map[string]string
		alerts []map[string]any
		muted  bool
	}
	var keys []string
	groups := map[string]*group{}
	for i, a := range alerts {
		gl := map[string]string{}
		var key []string
		for _, l := range s.opts.GroupBy {
			if v, ok := a.Labels[l]; ok {
				gl[l] = v
			}
			key = append(key, l+"="+a.Labels[l])
		}
		k := strings.Join(key, ",")
		g := groups[k]
		if g == nil {
			g = &group{labels: gl, muted: true}
			groups[k] = g
			keys = append(keys, k)
		}
		g.alerts = append(g.alerts, s.gettable(a, sts[i], now))
		g.muted = g.muted && sts[i].State == "suppressed"
	}
	sort.Strings(keys)
	out := []map[string]any{}
	for _, k := range keys {
		g := groups[k]
		if !f.muted && g.muted {
			continue
		}
		item := map[string]any{"labels": g.labels, "receiver": map[string]string{"name": s.opts.Receiver}, "alerts": g.alerts}
		if !s.opts.Legacy {
			item["routeLabels"] = map[string]string{}
		}
		out = append(out, item)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) status(w http.ResponseWriter, _ *http.Request) {
	version := "0.34.0"
	if s.opts.Legacy {
		version = "0.25.0"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"cluster":     map[string]any{"status": "disabled", "peers": []any{}},
		"versionInfo": map[string]string{"version": version, "revision": "fake", "branch": "fake", "buildUser": "opsctx", "buildDate": "20250101-00:00:00", "goVersion": "go1.26"},
		"config":      map[string]string{"original": "route:\n  receiver: " + s.opts.Receiver + "\nreceivers:\n- name: " + s.opts.Receiver + "\n"},
		"uptime":      s.opts.Now().UTC().Add(-time.Hour),
	})
}

func (s *Server) receivers(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, []map[string]string{{"name": s.opts.Receiver}})
}

package alertmanager

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"
)

// silenceState is pending before StartsAt, active until EndsAt, then expired.
func silenceState(sil Silence, now time.Time) string {
	switch {
	case now.Before(sil.StartsAt):
		return "pending"
	case now.Before(sil.EndsAt):
		return "active"
	}
	return "expired"
}

func (s *Server) gettableSilence(sil Silence, now time.Time) map[string]any {
	ms := make([]map[string]any, 0, len(sil.Matchers))
	for _, m := range sil.Matchers {
		eq := m.IsEqual == nil || *m.IsEqual
		ms = append(ms, map[string]any{"name": m.Name, "value": m.Value, "isRegex": m.IsRegex, "isEqual": eq})
	}
	out := map[string]any{
		"id": sil.ID, "status": map[string]string{"state": silenceState(sil, now)}, "updatedAt": sil.UpdatedAt,
		"matchers": ms, "startsAt": sil.StartsAt.UTC(), "endsAt": sil.EndsAt.UTC(), "createdBy": sil.CreatedBy, "comment": sil.Comment,
	}
	if !s.opts.Legacy {
		out["annotations"] = map[string]string{}
	}
	return out
}

func (s *Server) getSilences(w http.ResponseWriter, r *http.Request) {
	var ms []matcher
	for _, v := range r.URL.Query()["filter"] {
		m, err := parseMatcher(v)
		if err != nil {
			badRequest(w, err.Error())
			return
		}
		ms = append(ms, m)
	}
	now := s.opts.Now().UTC()
	s.mu.Lock()
	sils := slices.Clone(s.silences)
	s.mu.Unlock()
	out := []map[string]any{}
	for _, sil := range sils {
		labels := map[string]string{}
		for _, m := range sil.Matchers {
			labels[m.Name] = m.Value
		}
		if matchAll(ms, labels) {
			out = append(out, s.gettableSilence(sil, now))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getSilence(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sil := range s.silences {
		if sil.ID == r.PathValue("id") {
			writeJSON(w, http.StatusOK, s.gettableSilence(sil, s.opts.Now().UTC()))
			return
		}
	}
	w.WriteHeader(http.StatusNotFound)
}

func (s *Server) postSilence(w http.ResponseWriter, r *http.Request) {
	var sil Silence
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&sil); err != nil {
		badRequest(w, "parsing silence: "+err.Error())
		return
	}
	if now := s.opts.Now().UTC(); sil.StartsAt.Before(now) {
		sil.StartsAt = now // as Alertmanager does: a silence cannot start in the past
	}
	if len(sil.Matchers) == 0 || sil.EndsAt.IsZero() || !sil.EndsAt.After(sil.StartsAt) || sil.CreatedBy == "" {
		badRequest(w, "silence invalid: needs matchers, createdBy and endsAt after startsAt")
		return
	}
	if _, err := silenceMatchers(sil); err != nil {
		badRequest(w, err.Error())
		return
	}
	s.mu.Lock()
	if sil.ID != "" && !slices.ContainsFunc(s.silences, func(x Silence) bool { return x.ID == sil.ID }) {
		s.mu.Unlock()
		writeJSON(w, http.StatusNotFound, "silence not found")
		return
	}
	id := s.putSilence(sil)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"silenceID": id})
}

func (s *Server) deleteSilence(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.silences {
		if s.silences[i].ID == r.PathValue("id") {
			s.silences[i].EndsAt = s.opts.Now().UTC()
			s.silences[i].UpdatedAt = s.opts.Now().UTC()
			w.WriteHeader(http.StatusOK)
			return
		}
	}
	w.WriteHeader(http.StatusNotFound)
}

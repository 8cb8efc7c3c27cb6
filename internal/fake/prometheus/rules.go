package prometheus

import (
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"time"
)

func (s *Server) alerts(w http.ResponseWriter, _ *http.Request) {
	out := []map[string]any{}
	for _, g := range s.snapshot() {
		for _, r := range g.Rules {
			if r.Type == "" || r.Type == "alerting" {
				for _, a := range r.Alerts {
					out = append(out, alertJSON(a))
				}
			}
		}
	}
	success(w, map[string]any{"alerts": out})
}

func alertJSON(a Alert) map[string]any {
	v := a.Value
	if v == "" {
		v = "1e+00"
	}
	ann := a.Annotations
	if ann == nil {
		ann = map[string]string{}
	}
	return map[string]any{"labels": a.Labels, "annotations": ann, "state": a.State, "activeAt": a.ActiveAt.UTC(), "value": v}
}

// groupToken is the paging token of a group (Prometheus hashes file and name).
func groupToken(g Group) string {
	h := sha1.Sum([]byte(g.File + ";" + g.Name))
	return hex.EncodeToString(h[:])
}

func (s *Server) rules(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	typ := q.Get("type")
	if typ != "" && typ != "alert" && typ != "record" {
		apiError(w, http.StatusBadRequest, "bad_data", `unsupported type "`+typ+`"`)
		return
	}
	excludeAlerts, _ := strconv.ParseBool(q.Get("exclude_alerts"))
	limit, token := 0, q.Get("group_next_token")
	if !s.opts.OldServer {
		if v := q.Get("group_limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				apiError(w, http.StatusBadRequest, "bad_data", "group_limit needs to be greater than 0")
				return
			}
			limit = n
		}
		if token != "" && limit == 0 {
			apiError(w, http.StatusBadRequest, "bad_data", "group_limit needs to be present in order to paginate over the groups")
			return
		}
	}
	var groups []map[string]any
	var next string
	started := token == "" || s.opts.OldServer
	now := s.opts.Now().UTC()
	for _, g := range s.snapshot() {
		if !started {
			if groupToken(g) != token {
				continue
			}
			started = true
		}
		if len(q["rule_group[]"]) > 0 && !slices.Contains(q["rule_group[]"], g.Name) ||
			len(q["file[]"]) > 0 && !slices.Contains(q["file[]"], g.File) {
			continue
		}
		var rules []map[string]any
		for _, rl := range g.Rules {
			alerting := rl.Type == "" || rl.Type == "alerting"
			if typ == "alert" && !alerting || typ == "record" && alerting ||
				len(q["rule_name[]"]) > 0 && !slices.Contains(q["rule_name[]"], rl.Name) {
				continue
			}
			rules = append(rules, ruleJSON(rl, alerting, excludeAlerts, now))
		}
		if len(rules) == 0 && (typ != "" || len(q["rule_name[]"]) > 0) {
			continue // a group whose rules were all filtered out is not returned
		}
		if limit > 0 && len(groups) == limit {
			next = groupToken(g)
			break
		}
		if rules == nil {
			rules = []map[string]any{}
		}
		groups = append(groups, map[string]any{"name": g.Name, "file": g.File, "rules": rules, "interval": g.Interval.Seconds(),
			"limit": 0, "evaluationTime": 0.001, "lastEvaluation": now})
	}
	if !started {
		apiError(w, http.StatusBadRequest, "bad_data", "invalid group_next_token "+strconv.Quote(token))
		return
	}
	data := map[string]any{"groups": nonNil(groups)}
	if next != "" {
		data["groupNextToken"] = next
	}
	success(w, data)
}

func ruleJSON(rl Rule, alerting, excludeAlerts bool, now time.Time) map[string]any {
	health := rl.Health
	if health == "" {
		health = "ok"
	}
	out := map[string]any{"name": rl.Name, "query": rl.Query, "health": health, "evaluationTime": 0.0005, "lastEvaluation": now}
	if rl.LastError != "" {
		out["lastError"] = rl.LastError
	}
	if len(rl.Labels) > 0 {
		out["labels"] = rl.Labels
	}
	if !alerting {
		out["type"] = "recording"
		return out
	}
	state := "inactive"
	alerts := []map[string]any{}
	for _, a := range rl.Alerts {
		if a.State == "firing" || a.State == "pending" && state == "inactive" {
			state = a.State
		}
		alerts = append(alerts, alertJSON(a))
	}
	out["type"], out["state"], out["duration"], out["keepFiringFor"] = "alerting", state, rl.Duration.Seconds(), 0
	out["annotations"] = rl.Annotations
	if rl.Annotations == nil {
		out["annotations"] = map[string]string{}
	}
	if rl.Labels == nil {
		out["labels"] = map[string]string{}
	}
	if !excludeAlerts {
		out["alerts"] = alerts
	}
	return out
}

func nonNil(xs []map[string]any) []map[string]any {
	if xs == nil {
		return []map[string]any{}
	}
	return xs
}

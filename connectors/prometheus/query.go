package prometheus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/httpx"
)

// sample is one element of an instant vector (a scalar is one sample without labels).
type sample struct {
	Metric map[string]string
	Value  float64 // may be NaN or ±Inf
	At     time.Time
}

// instant evaluates expr with GET /api/v1/query at the server's current time.
func (s *Source) instant(ctx context.Context, expr string) ([]sample, error) {
	var data struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if err := get(ctx, s.o.Client, "api/v1/query", url.Values{"query": {expr}}, &data); err != nil {
		return nil, err
	}
	switch data.ResultType {
	case "vector":
		var vs []struct {
			Metric map[string]string `json:"metric"`
			Value  []any             `json:"value"`
		}
		if err := json.Unmarshal(data.Result, &vs); err != nil {
			return nil, fmt.Errorf("prometheus: query result: %w", err)
		}
		out := make([]sample, 0, len(vs))
		for _, v := range vs {
			smp, err := parsePoint(v.Value)
			if err != nil {
				return nil, err
			}
			smp.Metric = v.Metric
			out = append(out, smp)
		}
		return out, nil
	case "scalar":
		var v []any
		if err := json.Unmarshal(data.Result, &v); err != nil {
			return nil, fmt.Errorf("prometheus: query result: %w", err)
		}
		smp, err := parsePoint(v)
		if err != nil {
			return nil, err
		}
		return []sample{smp}, nil
	}
	return nil, fmt.Errorf("prometheus: query returned a %q, want an instant vector", data.ResultType)
}

// parsePoint reads [unix seconds, "value"].
func parsePoint(p []any) (sample, error) {
	if len(p) != 2 {
		return sample{}, fmt.Errorf("prometheus: malformed sample %v", p)
	}
	ts, ok1 := p[0].(float64)
	str, ok2 := p[1].(string)
	if !ok1 || !ok2 {
		return sample{}, fmt.Errorf("prometheus: malformed sample %v", p)
	}
	v, err := strconv.ParseFloat(str, 64)
	if err != nil {
		return sample{}, fmt.Errorf("prometheus: malformed sample value %q", str)
	}
	return sample{Value: v, At: time.UnixMilli(int64(ts * 1000)).UTC()}, nil
}

// queryError states a failed query for an SLO's Error: the API's own message when it
// answered (e.g. "HTTP 400: bad_data: parse error ..."), else the transport error.
func queryError(err error) string {
	if se := (*httpx.StatusError)(nil); errors.As(err, &se) {
		return fmt.Sprintf("PromQL query failed (HTTP %d): %s", se.Status, se.Message)
	}
	return "PromQL query failed: " + err.Error()
}

// durationRe matches a Prometheus duration: units from years to milliseconds, largest first.
var durationRe = regexp.MustCompile(`^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$`)

// parseDuration reads a Prometheus duration such as 5m, 1h4m, 30d, 4w or 1d1h43m.
func parseDuration(s string) (time.Duration, bool) {
	m := durationRe.FindStringSubmatch(s)
	if m == nil || s == "" {
		return 0, false
	}
	units := []time.Duration{365 * 24 * time.Hour, 7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute, time.Second, time.Millisecond}
	var d time.Duration
	for i, u := range units {
		if m[i+1] != "" {
			n, err := strconv.Atoi(m[i+1])
			if err != nil {
				return 0, false
			}
			d += time.Duration(n) * u
		}
	}
	return d, d > 0
}

// promDuration renders d in the largest whole unit PromQL accepts: 30d, 6h, 5m, 90s.
func promDuration(d time.Duration) string {
	for _, u := range []struct {
		d    time.Duration
		unit string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if d >= u.d && d%u.d == 0 {
			return strconv.FormatInt(int64(d/u.d), 10) + u.unit
		}
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
}

// quoteRegex renders values as a PromQL string holding an anchored alternation of the
// literal values, for a =~ matcher.
func quoteRegex(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = regexp.QuoteMeta(v)
	}
	return strconv.Quote(strings.Join(q, "|"))
}

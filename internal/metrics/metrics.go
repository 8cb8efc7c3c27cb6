// Package metrics keeps call counts and latency histograms and writes them in the
// Prometheus text exposition format for the /metrics endpoint.
package metrics

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

// buckets are latency histogram upper bounds in seconds.
var buckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type series struct {
	labels string   // rendered once: name="value",...
	counts []uint64 // per bucket, cumulative at write time
	sum    float64
	total  uint64
}

// Registry holds histograms keyed by metric name and label values.
type Registry struct {
	mu   sync.Mutex
	hist map[string]map[string]*series // metric -> rendered labels -> series
	help map[string]string
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{hist: map[string]map[string]*series{}, help: map[string]string{}}
}

// Default is the process-wide registry served on /metrics.
var Default = NewRegistry()

// Observe records one event of duration d for metric with the label pairs (k1, v1, k2, v2, ...).
func (r *Registry) Observe(metric, help string, d time.Duration, labels ...string) {
	key := strings.Join(labels, "\xff") // rendered only when the series is new
	secs := d.Seconds()
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.hist[metric]
	if m == nil {
		m = map[string]*series{}
		r.hist[metric] = m
		r.help[metric] = help
	}
	s := m[key]
	if s == nil {
		s = &series{labels: renderLabels(labels), counts: make([]uint64, len(buckets))}
		m[key] = s
	}
	for i, b := range buckets {
		if secs <= b {
			s.counts[i]++
		}
	}
	s.sum += secs
	s.total++
}

// WriteText writes every histogram in Prometheus text format 0.0.4.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.hist))
	for n := range r.hist {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s histogram\n", n, r.help[n], n)
		all := make([]*series, 0, len(r.hist[n]))
		for _, s := range r.hist[n] {
			all = append(all, s)
		}
		sort.Slice(all, func(i, j int) bool { return all[i].labels < all[j].labels })
		for _, s := range all {
			k := s.labels
			sep := ""
			if k != "" {
				sep = ","
			}
			for i, ub := range buckets {
				fmt.Fprintf(&b, "%s_bucket{%s%sle=\"%g\"} %d\n", n, k, sep, ub, s.counts[i])
			}
			fmt.Fprintf(&b, "%s_bucket{%s%sle=\"+Inf\"} %d\n", n, k, sep, s.total)
			fmt.Fprintf(&b, "%s_sum{%s} %g\n%s_count{%s} %d\n", n, k, s.sum, n, k, s.total)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// labelEscaper escapes label values for the text format.
var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func renderLabels(kv []string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		v := labelEscaper.Replace(kv[i+1])
		parts = append(parts, kv[i]+`="`+v+`"`)
	}
	return strings.Join(parts, ",")
}

// ObserveTool records one MCP tool call.
func ObserveTool(tool, outcome string, d time.Duration) {
	Default.Observe("opsctx_tool_call_duration_seconds", "MCP tool calls by tool and outcome.", d, "tool", tool, "outcome", outcome)
}

// ObserveSource records one fetch from a source in an answer (status ok, error, stale).
func ObserveSource(source, status string, d time.Duration) {
	Default.Observe("opsctx_source_fetch_duration_seconds", "Source fetches by source and status.", d, "source", source, "status", status)
}

// ObserveUpstream records one HTTP request to an upstream API.
func ObserveUpstream(source string, code int, d time.Duration) {
	Default.Observe("opsctx_upstream_request_duration_seconds", "Upstream HTTP requests by source and status code.", d, "source", source, "code", fmt.Sprint(code))
}

package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/version"
	"github.com/opsctx/opsctx/tools"
)

// Economy counts upstream requests per source for one incident_context on a fresh engine
// (cold) and for the same question asked again inside the cache TTL (repeat).
type Economy struct {
	Cold   map[string]int
	Repeat map[string]int
	// Duplicates counts, per source, cold requests identical (method, path and query) to an
	// earlier one of the same answer: pure waste.
	Duplicates map[string]int
	// Paths are the cold requests per source, "GET /path?query", in arrival order.
	Paths map[string][]string
}

// MeasureEconomy asks incident_context for service twice on a fresh demo engine whose clock
// stands still (so nothing expires between the calls) and counts what reached each fake.
func MeasureEconomy(ctx context.Context, env *demo.Env, service string) (*Economy, error) {
	now := time.Now()
	e := DemoEngine(env, func() time.Time { return now })
	ResetRequests(env)
	if _, err := e.IncidentContext(ctx, engine.Query{Service: service}); err != nil {
		return nil, err
	}
	ec := &Economy{Cold: Requests(env), Duplicates: map[string]int{}, Paths: map[string][]string{}}
	for n, s := range env.Servers {
		seen := map[string]bool{}
		for _, r := range s.Requests() {
			k := r.Method + " " + r.Path
			if q := r.Query.Encode(); q != "" {
				k += "?" + q
			}
			if seen[k] {
				ec.Duplicates[n]++
			}
			seen[k] = true
			ec.Paths[n] = append(ec.Paths[n], k)
		}
	}
	ResetRequests(env)
	if _, err := e.IncidentContext(ctx, engine.Query{Service: service}); err != nil {
		return nil, err
	}
	ec.Repeat = Requests(env)
	return ec, nil
}

// Sources returns the sources with requests, sorted.
func (ec *Economy) Sources() []string {
	var out []string
	for n := range ec.Cold {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// WarmResult are warm (fully cached) incident_context latencies measured in process.
type WarmResult struct {
	// Join is Engine.IncidentContext alone.
	Join Durations
	// Tool is the whole server-side tools/call (argument checks, join, markdown rendering,
	// output-schema validation, JSON-RPC encoding) through MCPServer.HandleMessage.
	Tool Durations
	// ToolValidated is Tool on a server that also has mcp-go's
	// server.WithOutputSchemaValidation: what run-time output validation would cost per call
	// (opsctx validates its results in tests instead, see internal/testkit/outputcheck).
	ToolValidated Durations
	// Requests is how many upstream requests the warm calls made (want 0).
	Requests int
}

// MeasureWarm primes a demo engine with one incident_context, then measures n cached calls
// of the join and n of the whole tool call, counting upstream requests meanwhile.
func MeasureWarm(ctx context.Context, env *demo.Env, service string, n int) (*WarmResult, error) {
	now := time.Now()
	e := DemoEngine(env, func() time.Time { return now })
	q := engine.Query{Service: service}
	if _, err := e.IncidentContext(ctx, q); err != nil {
		return nil, err
	}
	s := tools.NewServer(tools.Deps{Engine: e}, version.Version)
	msg := toolCallMessage("incident_context", map[string]any{"service": service})
	if err := callInProcess(ctx, s, msg); err != nil { // first call warms schema caches
		return nil, err
	}
	validated := ValidatingServer(e)
	if err := callInProcess(ctx, validated, msg); err != nil {
		return nil, err
	}
	ResetRequests(env)
	w := &WarmResult{Join: make(Durations, 0, n), Tool: make(Durations, 0, n), ToolValidated: make(Durations, 0, n)}
	for range n {
		start := time.Now()
		if _, err := e.IncidentContext(ctx, q); err != nil {
			return nil, err
		}
		w.Join = append(w.Join, time.Since(start))
	}
	for range n {
		start := time.Now()
		if err := callInProcess(ctx, s, msg); err != nil {
			return nil, err
		}
		w.Tool = append(w.Tool, time.Since(start))
	}
	for range n {
		start := time.Now()
		if err := callInProcess(ctx, validated, msg); err != nil {
			return nil, err
		}
		w.ToolValidated = append(w.ToolValidated, time.Since(start))
	}
	w.Requests = total(Requests(env))
	return w, nil
}

// ValidatingServer is a server with opsctx's tools and mcp-go's run-time output-schema
// validation, the baseline that shows what that validation costs.
func ValidatingServer(e *engine.Engine) *server.MCPServer {
	s := server.NewMCPServer("opsctx", version.Version, server.WithToolCapabilities(false), server.WithRecovery(),
		server.WithOutputSchemaValidation())
	s.AddTools(tools.Tools(tools.Deps{Engine: e})...)
	return s
}

func toolCallMessage(name string, args map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "tools/call",
		"params": map[string]any{"name": name, "arguments": args}})
	return b
}

// callInProcess sends one JSON-RPC message to s and fails on a protocol error or an IsError result.
func callInProcess(ctx context.Context, s *server.MCPServer, msg []byte) error {
	resp := s.HandleMessage(ctx, msg)
	if _, err := json.Marshal(resp); err != nil { // the transport's encoding is server-side work too
		return err
	}
	switch r := resp.(type) {
	case mcp.JSONRPCResponse:
		if res, ok := r.Result.(*mcp.CallToolResult); ok && res.IsError {
			return fmt.Errorf("tool error: %v", res.Content)
		}
		return nil
	case mcp.JSONRPCError:
		return fmt.Errorf("protocol error: %v", r.Error)
	default:
		return fmt.Errorf("unexpected answer %T", r)
	}
}

// DefaultRequestBudget is the most upstream requests one source may make for one cold
// incident_context on the demo, unless requestBudgets says otherwise.
const DefaultRequestBudget = 10

// requestBudgets are the sources allowed more than DefaultRequestBudget: ServiceNow reads the
// changes' approvers beside them, Dynatrace its maintenance windows beside its SLO listing
// (the incident's clock): one listing each, in no added round trip; and who is on call for
// the (up to 6) dependencies another team owns is read beside the rest, before the cause is
// known, so that naming who can act on it adds no round trip (checkout: orders-db, payments,
// cart, inventory, order-queue: PagerDuty +4, ServiceNow +4).
var requestBudgets = map[string]int{"servicenow": 16, "dynatrace": 11, "pagerduty": 14}

// RequestBudget bounds the upstream requests of source for one cold incident_context on the
// demo, so that a request per row (N+1) shows.
func RequestBudget(source string) int {
	if b, ok := requestBudgets[source]; ok {
		return b
	}
	return DefaultRequestBudget
}

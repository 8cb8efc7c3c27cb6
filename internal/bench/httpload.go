package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mark3labs/mcp-go/client"
	mcptransport "github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/transport"
	"github.com/opsctx/opsctx/internal/version"
	"github.com/opsctx/opsctx/tools"
)

// Server is the production MCP server (tools.NewServer) on an engine, served by
// transport.Serve over streamable HTTP on a loopback listener.
type Server struct {
	// URL is the MCP endpoint, http://127.0.0.1:port/mcp.
	URL    string
	cancel context.CancelFunc
	done   chan error
}

// StartServer serves e until Close.
func StartServer(e *engine.Engine) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{URL: "http://" + ln.Addr().String() + "/mcp", cancel: cancel, done: make(chan error, 1)}
	mcpServer := tools.NewServer(tools.Deps{Engine: e}, version.Version)
	go func() { s.done <- transport.Serve(ctx, ln, mcpServer, transport.HTTPOptions{Logger: quiet}) }()
	return s, nil
}

// Close shuts the server down gracefully (close the clients first).
func (s *Server) Close() error {
	s.cancel()
	return <-s.done
}

// Client is one MCP client over streamable HTTP with its own connection pool, like a
// separate assistant process.
type Client struct {
	c  *client.Client
	tr *http.Transport
}

// Dial connects and initializes a client.
func Dial(ctx context.Context, url string) (*Client, error) {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second}).DialContext, // as http.DefaultTransport
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     30 * time.Second,
	}
	st, err := mcptransport.NewStreamableHTTP(url, mcptransport.WithHTTPBasicClient(&http.Client{Transport: tr}),
		mcptransport.WithLogger(quiet))
	if err != nil {
		return nil, err
	}
	c := client.NewClient(st)
	if err := c.Start(ctx); err != nil {
		tr.CloseIdleConnections()
		return nil, err
	}
	var ir mcp.InitializeRequest
	ir.Params.ClientInfo = mcp.Implementation{Name: "opsctx-bench", Version: version.Version}
	if _, err := c.Initialize(ctx, ir); err != nil {
		_ = c.Close()
		tr.CloseIdleConnections()
		return nil, err
	}
	return &Client{c: c, tr: tr}, nil
}

// Close closes the client and its idle connections.
func (c *Client) Close() {
	_ = c.c.Close()
	c.tr.CloseIdleConnections()
}

// DialAll dials n clients concurrently; on error it closes those it made.
func DialAll(ctx context.Context, url string, n int) ([]*Client, error) {
	cs := make([]*Client, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { cs[i], errs[i] = Dial(ctx, url) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		CloseAll(cs)
		return nil, err
	}
	return cs, nil
}

// CloseAll closes every non-nil client.
func CloseAll(cs []*Client) {
	for _, c := range cs {
		if c != nil {
			c.Close()
		}
	}
}

// Call is one tool call of a workload.
type Call struct {
	Tool string
	Args map[string]any
}

// DemoMix is the HTTP workload on the demo: incident_context on every demo service at every
// detail level (3 calls in 4) and find_service with exact, id, title and misspelt queries.
func DemoMix() []Call {
	services := []string{"checkout", "payments", "cart", "inventory", "search", "storefront", "orders-db", "order-queue"}
	finds := []string{"checkout", "PCHKOUT", "Checkout Service", "paymnts", "orders", "SERVICE-5B2C1A9F0D3E7781"}
	var out []Call
	for i := 0; i < 24; i++ {
		if i%4 == 3 {
			out = append(out, Call{Tool: "find_service", Args: map[string]any{"query": finds[i%len(finds)]}})
			continue
		}
		out = append(out, Call{Tool: "incident_context", Args: map[string]any{
			"service": services[i%len(services)], "detail": Details[i%len(Details)]}})
	}
	return out
}

// DriveOptions configure Drive.
type DriveOptions struct {
	// Calls is the total number of calls over all clients (0: until Duration).
	Calls int
	// Duration bounds the run (0: until Calls).
	Duration time.Duration
	// Mix is the workload, cycled (default DemoMix).
	Mix []Call
	// Watch names a source whose status is counted in every answer's sources[].
	Watch string
	// CallTimeout bounds one call (default 30 s).
	CallTimeout time.Duration
}

// DriveResult are the client-side figures of a run.
type DriveResult struct {
	Calls int
	// ProtocolErrors are calls that failed at the transport or JSON-RPC level.
	ProtocolErrors int
	// ToolErrors are IsError results (what the model is told to fix; not failures).
	ToolErrors int
	Latency    Durations
	Elapsed    time.Duration
	// Errors are the first protocol errors seen; ToolErrorTexts the first tool errors.
	Errors, ToolErrorTexts []string
	// Watched counts the watched source's status over every answer that listed it.
	Watched map[string]int
}

// Throughput is calls per second.
func (r *DriveResult) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Calls) / r.Elapsed.Seconds()
}

// Drive runs the workload with every client concurrently, each calling one tool at a time.
func Drive(ctx context.Context, clients []*Client, o DriveOptions) *DriveResult {
	if len(o.Mix) == 0 {
		o.Mix = DemoMix()
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = 30 * time.Second
	}
	var next atomic.Int64
	var mu sync.Mutex
	res := &DriveResult{Watched: map[string]int{}}
	start := time.Now()
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() {
			var lat Durations
			var calls, perr, terr int
			watched := map[string]int{}
			var errs, terrs []string
			for {
				i := int(next.Add(1)) - 1
				if (o.Calls > 0 && i >= o.Calls) || (o.Duration > 0 && time.Since(start) >= o.Duration) || ctx.Err() != nil {
					break
				}
				call := o.Mix[i%len(o.Mix)]
				var req mcp.CallToolRequest
				req.Params.Name, req.Params.Arguments = call.Tool, call.Args
				cctx, cancel := context.WithTimeout(ctx, o.CallTimeout)
				t0 := time.Now()
				r, err := c.c.CallTool(cctx, req)
				lat = append(lat, time.Since(t0))
				cancel()
				calls++
				switch {
				case err != nil:
					perr++
					if len(errs) < 5 {
						errs = append(errs, fmt.Sprintf("%s %v: %v", call.Tool, call.Args, err))
					}
				case r.IsError:
					terr++
					if len(terrs) < 3 {
						terrs = append(terrs, fmt.Sprintf("%s %v: %s", call.Tool, call.Args, resultText(r)))
					}
				case o.Watch != "":
					if st := sourceStatus(r.StructuredContent, o.Watch); st != "" {
						watched[st]++
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			res.Calls += calls
			res.ProtocolErrors += perr
			res.ToolErrors += terr
			res.Latency = append(res.Latency, lat...)
			for k, v := range watched {
				res.Watched[k] += v
			}
			if len(res.Errors) < 5 {
				res.Errors = append(res.Errors, errs...)
			}
			if len(res.ToolErrorTexts) < 3 {
				res.ToolErrorTexts = append(res.ToolErrorTexts, terrs...)
			}
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	return res
}

// resultText is the text content of a result, shortened.
func resultText(r *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range r.Content {
		if t, ok := c.(mcp.TextContent); ok {
			b.WriteString(t.Text)
		}
	}
	s := b.String()
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// sourceStatus finds the named source's status in a structured result's sources[].
func sourceStatus(structured any, name string) string {
	m, ok := structured.(map[string]any)
	if !ok {
		return ""
	}
	srcs, _ := m["sources"].([]any)
	for _, s := range srcs {
		if sm, ok := s.(map[string]any); ok && sm["name"] == name {
			st, _ := sm["status"].(string)
			return st
		}
	}
	return ""
}

// HTTPOptions configure HTTPRun.
type HTTPOptions struct {
	Clients int // default 64
	Calls   int // default 10000
}

// HTTPResult is an HTTP run on the demo.
type HTTPResult struct {
	Clients int
	*DriveResult
}

// HTTPRun serves the demo engine over streamable HTTP and drives Calls calls from Clients
// concurrent clients (DemoMix), with the default cache TTLs.
func HTTPRun(ctx context.Context, o HTTPOptions) (*HTTPResult, error) {
	if o.Clients <= 0 {
		o.Clients = 64
	}
	if o.Calls <= 0 {
		o.Calls = 10000
	}
	env, err := StartDemo(ctx)
	if err != nil {
		return nil, err
	}
	defer env.Close()
	srv, err := StartServer(DemoEngine(env, nil))
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	cs, err := DialAll(ctx, srv.URL, o.Clients)
	if err != nil {
		return nil, err
	}
	defer CloseAll(cs)
	return &HTTPResult{Clients: o.Clients, DriveResult: Drive(ctx, cs, DriveOptions{Calls: o.Calls})}, nil
}

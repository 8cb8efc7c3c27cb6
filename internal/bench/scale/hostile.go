package scale

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/opsctx/opsctx/internal/args"
	"github.com/opsctx/opsctx/internal/bench"
	"github.com/opsctx/opsctx/tools"
)

// HostileResult is what MeasureHostile measured: unknown-service lookups through the whole
// tools/call on a synthetic catalog.
type HostileResult struct {
	Services int
	// Typo is a near miss ("did you mean" suggestions), the everyday baseline; AtLimit an
	// unknown name of the longest allowed length; Long maps an argument's size in bytes to
	// the time to its tool error.
	Typo, AtLimit bench.Durations
	Long          map[int]bench.Durations
	// Echo is the longest error message of the Long calls, in bytes.
	Echo int
	// CPUAfterCancel is the process CPU time in the second after a client cancelled calls in
	// flight (8 concurrent calls with the longest allowed unknown name, cancelled at once),
	// and CPUIdle the same second with no call, measured just before.
	CPUAfterCancel, CPUIdle time.Duration
}

// LongSizes are the sizes of the long unknown names MeasureHostile sends: 10 KB and 1 MB.
var LongSizes = []int{10 << 10, 1_000_000}

// MeasureHostile times n unknown-service lookups of each kind through tools/call on a
// catalog of the given size.
func MeasureHostile(ctx context.Context, services, n int) (*HostileResult, error) {
	d := Generate(SpecFor(services))
	e := d.Engine(true)
	e.Directory(ctx) // the catalog is warm: only the lookup is measured
	s := tools.NewServer(tools.Deps{Engine: e}, "bench")
	res := &HostileResult{Services: services, Long: map[int]bench.Durations{}}
	limit := args.Limit("service")
	atLimit := d.Names[len(d.Names)/2] + strings.Repeat("z", limit-len(d.Names[0]))
	typo := d.Names[len(d.Names)/3][:len(d.Names[0])-1] + "x"
	for _, c := range []struct {
		arg string
		out *bench.Durations
	}{{typo, &res.Typo}, {atLimit, &res.AtLimit}} {
		for range n {
			took, _, err := unknownService(ctx, s, c.arg)
			if err != nil {
				return nil, err
			}
			*c.out = append(*c.out, took)
		}
	}
	for _, size := range LongSizes {
		arg := strings.Repeat("x", size)
		for range n {
			took, msg, err := unknownService(ctx, s, arg)
			if err != nil {
				return nil, err
			}
			res.Long[size] = append(res.Long[size], took)
			res.Echo = max(res.Echo, len(msg))
		}
	}
	res.CPUIdle = cpuDuring(func() { time.Sleep(time.Second) })
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{}, 8)
	for range 8 {
		go func() {
			_, _, _ = unknownService(cctx, s, atLimit)
			done <- struct{}{}
		}()
	}
	cancel()
	res.CPUAfterCancel = cpuDuring(func() {
		for range 8 {
			<-done
		}
		time.Sleep(time.Second)
	})
	return res, nil
}

// unknownService calls who_owns for a service that does not exist and returns how long the
// tool error took and its text.
func unknownService(ctx context.Context, s *server.MCPServer, name string) (time.Duration, string, error) {
	msg, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "tools/call",
		"params": map[string]any{"name": "who_owns", "arguments": map[string]any{"service": name}}})
	start := time.Now()
	resp := s.HandleMessage(ctx, msg)
	took := time.Since(start)
	r, ok := resp.(mcp.JSONRPCResponse)
	if !ok {
		return took, "", fmt.Errorf("who_owns: unexpected answer %T", resp)
	}
	res, ok := r.Result.(*mcp.CallToolResult)
	if !ok || !res.IsError || len(res.Content) == 0 {
		if ctx.Err() != nil {
			return took, "", nil
		}
		return took, "", fmt.Errorf("who_owns of an unknown service: no tool error")
	}
	text, _ := res.Content[0].(mcp.TextContent)
	return took, text.Text, nil
}

// cpuDuring is the process CPU time (user + system) spent while f runs.
func cpuDuring(f func()) time.Duration {
	before := cpuTime()
	f()
	return cpuTime() - before
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

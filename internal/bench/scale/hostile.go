package scale

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/opsctx/opsctx/internal/args"
	"github.com/opsctx/opsctx/internal/bench"
	"github.com/opsctx/opsctx/tools"
)

// HostileResult is what MeasureHostile measured: unknown-service lookups, each a whole
// tools/call, on a synthetic catalog.
type HostileResult struct {
	Services int
	// Stdio are the lookups through the stdio transport over real pipes; HTTP through
	// streamable HTTP on loopback (one kept connection, each message posted as it is).
	Stdio, HTTP Lookups
	// CPUAfterCancel is the process CPU time in the second after a client hung up with calls
	// in flight (8 calls with the longest allowed unknown name, then stdin closed at once),
	// and CPUIdle the same second with no call, measured just before.
	CPUAfterCancel, CPUIdle time.Duration
}

// Lookups are the times of unknown-service lookups over one transport.
type Lookups struct {
	// Typo is a near miss ("did you mean" suggestions), the everyday baseline; AtLimit an
	// unknown name of the longest allowed length; Long maps an argument's size in bytes to
	// the time to its tool error.
	Typo, AtLimit bench.Durations
	Long          map[int]bench.Durations
	// Echo is the longest error message of the Long calls, in bytes.
	Echo int
}

// LongSizes are the sizes of the long unknown names MeasureHostile sends: 10 KB and 1 MB.
var LongSizes = []int{10 << 10, 1_000_000}

// MeasureHostile times n unknown-service lookups of each kind on a catalog of the given
// size, each a whole tools/call through the stdio transport over real pipes
// (transport.ServeStdio, the path a desktop client's request takes, with its guard), then
// through streamable HTTP (transport.Serve).
func MeasureHostile(ctx context.Context, services, n int) (*HostileResult, error) {
	d := Generate(SpecFor(services))
	e := d.Engine(true)
	e.Directory(ctx) // the catalog is warm: only the lookup is measured
	s := tools.NewServer(tools.Deps{Engine: e}, "bench")
	c, err := startStdio(ctx, s)
	if err != nil {
		return nil, err
	}
	res := &HostileResult{Services: services}
	limit := args.Limit("service")
	atLimit := d.Names[len(d.Names)/2] + strings.Repeat("z", limit-len(d.Names[0]))
	typo := d.Names[len(d.Names)/3][:len(d.Names[0])-1] + "x"
	res.Stdio, err = lookups(c, n, typo, atLimit)
	if err = errors.Join(err, c.close()); err != nil {
		return nil, err
	}
	srv, err := bench.StartServer(e)
	if err != nil {
		return nil, err
	}
	tr := &http.Transport{}
	res.HTTP, err = lookups(httpClient{srv.URL, &http.Client{Transport: tr}}, n, typo, atLimit)
	tr.CloseIdleConnections()
	if err = errors.Join(err, srv.Close()); err != nil {
		return nil, err
	}
	res.CPUIdle = cpuDuring(func() { time.Sleep(time.Second) })
	// A client sends 8 lookups of the longest allowed name and hangs up at once.
	if c, err = startStdio(ctx, s); err != nil {
		return nil, err
	}
	for i := range 8 {
		if err := c.send(whoOwns(10+i, atLimit)); err != nil {
			return nil, errors.Join(err, c.close())
		}
	}
	res.CPUAfterCancel = cpuDuring(func() {
		err = c.close()
		time.Sleep(time.Second)
	})
	return res, err
}

// lookups times n unknown-service lookups of each kind over c.
func lookups(c caller, n int, typo, atLimit string) (Lookups, error) {
	l := Lookups{Long: map[int]bench.Durations{}}
	for _, k := range []struct {
		arg string
		out *bench.Durations
	}{{typo, &l.Typo}, {atLimit, &l.AtLimit}} {
		for range n {
			took, _, err := unknownService(c, k.arg)
			if err != nil {
				return l, err
			}
			*k.out = append(*k.out, took)
		}
	}
	for _, size := range LongSizes {
		arg := strings.Repeat("x", size)
		for range n {
			took, msg, err := unknownService(c, arg)
			if err != nil {
				return l, err
			}
			l.Long[size] = append(l.Long[size], took)
			l.Echo = max(l.Echo, len(msg))
		}
	}
	return l, nil
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

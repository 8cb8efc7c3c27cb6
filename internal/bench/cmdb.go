package bench

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/opsctx/opsctx/connectors/servicenow"
	snfake "github.com/opsctx/opsctx/internal/fake/servicenow"
	"github.com/opsctx/opsctx/internal/httpx"
)

// CMDBLoad is the catalog load of a large ServiceNow CMDB at one page concurrency.
type CMDBLoad struct {
	Parallel int
	Took     time.Duration
	// CPU is the process's CPU time during the load: opsctx decoding and indexing the
	// pages, and the fake (in the same process) encoding them.
	CPU      time.Duration
	Requests int
	Services int
}

// LoadCMDB reads a synthetic CMDB of cis services (no relations; 250 groups, 1,000 users) from
// the ServiceNow fake answering after latency, in pages of 1,000, once per page concurrency
// of parallels (1 = one page after another), each with a fresh source. A load that does not
// index every CI, or reads a page more or less than the first load, is an error.
func LoadCMDB(ctx context.Context, cis int, latency time.Duration, parallels ...int) ([]CMDBLoad, error) {
	const user, pass = "opsctx", "bench"
	srv := snfake.Start(snfake.Generate(cis, 0, 250, 1000), snfake.Options{Username: user, Password: pass})
	defer srv.Close()
	var out []CMDBLoad
	for _, p := range parallels {
		c := httpx.New(httpx.Options{Source: "servicenow", BaseURL: srv.URL, Auth: func(r *http.Request) { r.SetBasicAuth(user, pass) }})
		s := servicenow.New(servicenow.Options{Client: c, InstanceURL: srv.URL, MaxRows: cis, Parallel: p})
		srv.SetLatency(0)
		if _, err := s.Catalog(ctx); err != nil { // warms the fake's query cache
			return nil, err
		}
		s = servicenow.New(servicenow.Options{Client: c, InstanceURL: srv.URL, MaxRows: cis, Parallel: p})
		srv.SetLatency(latency)
		srv.Reset()
		start, cpu := time.Now(), CPUTime()
		cat, err := s.Catalog(ctx)
		l := CMDBLoad{Parallel: p, Took: time.Since(start), CPU: CPUTime() - cpu, Requests: len(srv.Requests()), Services: len(cat.Services)}
		switch {
		case err != nil:
			return nil, fmt.Errorf("parallel %d: %w", p, err)
		case l.Services != cis || cat.Truncated:
			return nil, fmt.Errorf("parallel %d: %d services indexed (truncated %v), want %d", p, l.Services, cat.Truncated, cis)
		case len(out) > 0 && l.Requests != out[0].Requests:
			return nil, fmt.Errorf("parallel %d: %d requests, want %d as at parallel %d", p, l.Requests, out[0].Requests, out[0].Parallel)
		}
		out = append(out, l)
	}
	return out, nil
}

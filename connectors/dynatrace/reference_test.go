package dynatrace_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors/dynatrace"
	"github.com/opsctx/opsctx/internal/fake"
	fakedt "github.com/opsctx/opsctx/internal/fake/dynatrace"
)

// TestSLODefinitions: the unevaluated SLO listing is fetched by every Warm (and nothing else)
// or by the first SLOs call, reused within ReferenceTTL (an answer then costs only the evaluation),
// fetched again after it (a new SLO shows then), and a failing Warm leaves the next answer to
// fetch it itself. Every answer is the same, warm or not.
func TestSLODefinitions(t *testing.T) {
	const ttl = 300 * time.Millisecond
	abc := []string{"A checkout availability", "C checkout by name", "E checkout and cart"}
	withF := sloData()
	withF.SLOs = append(withF.SLOs, sloFixture(6, "F checkout latency", `type("SERVICE"),entityId("`+svcCheckout+`")`, 99.9))
	type step struct {
		warm    bool          // Warm instead of SLOs(checkout)
		sleep   time.Duration // before the step
		data    *fakedt.Data  // served from this step on
		fault   *fake.Fault   // added before the step
		wantErr bool
		want    []string // the step's requests: "list", "eval" or another path
		names   []string // the SLOs answered (nil: A, C, E)
	}
	var (
		list = []string{"list"}
		eval = []string{"eval"}
		both = []string{"list", "eval"}
	)
	tests := []struct {
		name  string
		steps []step
	}{
		{"after Warm only the evaluation", []step{{warm: true, want: list}, {want: eval}, {want: eval}}},
		{"without Warm listed once then reused", []step{{want: both}, {want: eval}, {want: eval}}},
		{"Warm refreshes within the TTL", []step{{want: both}, {warm: true, want: list}, {want: eval}}},
		{"listed again after the TTL", []step{{warm: true, want: list}, {data: &withF, want: eval},
			{sleep: 2 * ttl, want: both, names: append(slices.Clone(abc), "F checkout latency")}}},
		{"Warm lists again after the TTL", []step{{warm: true, want: list}, {sleep: 2 * ttl, warm: true, want: list}, {want: eval}}},
		{"a failing Warm does not break the answer", []step{
			{warm: true, fault: &fake.Fault{PathPrefix: "/api/v2/slo", Times: 1, Status: 403, Body: `{"error":{"code":403,"message":"Token is missing required scope"}}`},
				wantErr: true, want: list},
			{want: both}, {want: eval}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, srv := start(t, sloData(), dynatrace.Options{ReferenceTTL: ttl}, fakedt.Options{})
			for i, s := range tt.steps {
				time.Sleep(s.sleep)
				srv.Reset()
				if s.data != nil {
					srv.SetData(*s.data)
				}
				if s.fault != nil {
					srv.AddFault(*s.fault)
				}
				var err error
				if s.warm {
					err = src.Warm(context.Background())
				} else {
					got, e := src.SLOs(context.Background(), target("checkout-service", svcCheckout))
					err = e
					var names []string
					for _, x := range got {
						names = append(names, x.Name)
					}
					want := s.names
					if want == nil {
						want = abc
					}
					if err == nil && !slices.Equal(names, want) {
						t.Errorf("step %d: SLOs %q, want %q", i, names, want)
					}
				}
				if (err != nil) != s.wantErr {
					t.Errorf("step %d: error %v, want error %v", i, err, s.wantErr)
				}
				var reqs []string
				for _, r := range srv.Requests() {
					switch {
					case strings.HasSuffix(r.Path, "/settings/objects"): // Warm's other listing (TestMaintenanceWindows)
					case !strings.HasSuffix(r.Path, "/api/v2/slo"):
						reqs = append(reqs, r.Path)
					case r.Query.Get("evaluate") == "false":
						reqs = append(reqs, "list")
					default:
						reqs = append(reqs, "eval")
					}
				}
				if !slices.Equal(reqs, s.want) {
					t.Errorf("step %d: requests %v, want %v", i, reqs, s.want)
				}
			}
		})
	}
}

// TestSLOsDuringRefreshUseKeptDefinitions: after the TTL, SLOs asked while Warm is
// refreshing the listing uses the expired one at once instead of waiting for the refresh.
func TestSLOsDuringRefreshUseKeptDefinitions(t *testing.T) {
	const ttl = 50 * time.Millisecond
	src, srv := start(t, sloData(), dynatrace.Options{ReferenceTTL: ttl}, fakedt.Options{})
	if err := src.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * ttl)
	srv.Reset()
	stopWarm, err := srv.Stall("/api/v2/slo", src.Warm) // the refresh hangs
	if err != nil {
		t.Fatal(err)
	}
	defer stopWarm()
	ctx, stop := context.WithTimeout(context.Background(), 2*time.Second)
	defer stop()
	got, err := src.SLOs(ctx, target("checkout-service", svcCheckout))
	if err != nil || len(got) != 3 {
		t.Errorf("SLOs during the refresh = %d SLOs, %v; want the 3 of the kept listing", len(got), err)
	}
}

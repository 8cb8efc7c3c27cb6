package opsgenie

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/fake"
	ogfake "github.com/opsctx/opsctx/internal/fake/opsgenie"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
)

// Request paths of the reference listings and of checkout's on-call requests in world(): per
// schedule its on-calls and its timeline (when shifts end, who takes over), concurrently.
var (
	listings = []string{"/v2/escalations", "/v2/schedules", "/v2/users"}
	onCalls  = []string{"/v2/schedules/S1/on-calls", "/v2/schedules/S1/timeline", "/v2/schedules/S4/on-calls", "/v2/schedules/S4/timeline"}
	both     = slices.Sorted(slices.Values(append(slices.Clone(listings), onCalls...)))
)

// TestReferenceData: the schedule, escalation and user listings are fetched by every Warm or
// by the first Responders, reused within ReferenceTTL (an answer then costs only its on-call
// requests), fetched again after it, and a failing Warm leaves the next answer to fetch them
// itself. A refused user listing fails nothing: the other listings are kept and people are
// named by username. Every answer is the same, warm or not.
func TestReferenceData(t *testing.T) {
	type step struct {
		warm    bool          // Warm instead of Responders(checkout)
		sleep   time.Duration // before the step
		fault   *fake.Fault   // added before the step
		wantErr bool
		want    []string // sorted paths of the step's requests
		byUser  bool     // the answer names people by username
	}
	usersRefused := &fake.Fault{PathPrefix: "/v2/users", Status: 403, Body: `{"message":"You are not authorized to list users","took":0,"requestId":"r"}`}
	const ttl = 300 * time.Millisecond
	tests := []struct {
		name  string
		steps []step
	}{
		{"after Warm only on-call requests", []step{{warm: true, want: listings}, {want: onCalls}, {want: onCalls}}},
		{"without Warm fetched once then reused", []step{{want: both}, {want: onCalls}, {want: onCalls}}},
		{"Warm refreshes within the TTL", []step{{want: both}, {warm: true, want: listings}, {want: onCalls}}},
		{"fetched again after the TTL", []step{{warm: true, want: listings}, {sleep: 2 * ttl, want: both}, {want: onCalls},
			{sleep: 2 * ttl, warm: true, want: listings}, {want: onCalls}}},
		{"a failing Warm does not break the answer", []step{
			{warm: true, fault: &fake.Fault{PathPrefix: "/v2/escalations", Times: 1, Status: 403, Body: `{"message":"no","took":0,"requestId":"r"}`},
				wantErr: true, want: listings},
			{want: both}, {want: onCalls}}},
		{"a refused user listing keeps the others", []step{{warm: true, fault: usersRefused, want: listings},
			{want: onCalls, byUser: true}, {want: onCalls, byUser: true}, {sleep: 2 * ttl, want: both, byUser: true}}},
		{"a refused user listing without Warm", []step{{fault: usersRefused, want: both, byUser: true}, {want: onCalls, byUser: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := ogfake.Start(world(), testKey)
			t.Cleanup(srv.Close)
			src := sourceWithTTL(t, srv.URL, ttl)
			for i, s := range tt.steps {
				time.Sleep(s.sleep)
				srv.Reset()
				if s.fault != nil {
					srv.AddFault(*s.fault)
				}
				var err error
				if s.warm {
					err = src.Warm(context.Background())
				} else {
					var r model.Responders
					r, err = src.Responders(context.Background(), checkout)
					want := checkoutResponders()
					if s.byUser {
						want = checkoutByUsername()
					}
					if err == nil && !reflect.DeepEqual(r, want) {
						t.Errorf("step %d: got %+v\nwant %+v", i, r, want)
					}
				}
				if (err != nil) != s.wantErr {
					t.Errorf("step %d: error %v, want error %v", i, err, s.wantErr)
				}
				var paths []string
				for _, r := range srv.Requests() {
					paths = append(paths, r.Path)
				}
				slices.Sort(paths)
				if !slices.Equal(paths, s.want) {
					t.Errorf("step %d: requests %v, want %v", i, paths, s.want)
				}
			}
		})
	}
}

// TestRespondersSharesRunningWarm: an answer asked while Warm is fetching the listings
// waits for that fetch instead of making its own.
func TestRespondersSharesRunningWarm(t *testing.T) {
	srv := ogfake.Start(world(), testKey)
	t.Cleanup(srv.Close)
	srv.SetLatency(100 * time.Millisecond)
	src := sourceWithTTL(t, srv.URL, time.Minute)
	done := make(chan error, 1)
	go func() { done <- src.Warm(context.Background()) }()
	for deadline := time.Now().Add(5 * time.Second); srv.Count("/v2/") < len(listings); time.Sleep(time.Millisecond) { // every listing requested
		if time.Now().After(deadline) {
			t.Fatal("Warm requested no listings")
		}
	}
	r, err := src.Responders(context.Background(), checkout)
	if err != nil || !reflect.DeepEqual(r, checkoutResponders()) {
		t.Errorf("got %+v, %v", r, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, r := range srv.Requests() {
		paths = append(paths, r.Path)
	}
	slices.Sort(paths)
	if !slices.Equal(paths, both) {
		t.Errorf("requests %v, want %v", paths, both)
	}
}

// sourceWithTTL is a Source for the fake at base whose reference data lives for ttl.
func sourceWithTTL(t *testing.T, base string, ttl time.Duration) *Source {
	t.Helper()
	c := httpx.New(httpx.Options{Source: SourceName, BaseURL: base, Auth: Auth(testKey), Secrets: []string{testKey},
		RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond})
	t.Cleanup(c.CloseIdleConnections)
	return New(Options{Client: c, ReferenceTTL: ttl, Now: func() time.Time { return t0 }})
}

// TestAnswerDuringRefreshUsesKeptListings: after the TTL, an answer asked while Warm is
// refreshing the listings uses the expired ones at once (it costs only its on-call
// requests) instead of waiting for the refresh.
func TestAnswerDuringRefreshUsesKeptListings(t *testing.T) {
	srv := ogfake.Start(world(), testKey)
	t.Cleanup(srv.Close)
	const ttl = 50 * time.Millisecond
	src := sourceWithTTL(t, srv.URL, ttl)
	if err := src.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * ttl)
	srv.Reset()
	stopWarm, err := srv.Stall("/v2/schedules", src.Warm) // the refresh hangs
	if err != nil {
		t.Fatal(err)
	}
	defer stopWarm()
	ctx, stop := context.WithTimeout(context.Background(), 2*time.Second)
	defer stop()
	r, err := src.Responders(ctx, checkout)
	if err != nil || !reflect.DeepEqual(r, checkoutResponders()) {
		t.Errorf("Responders during the refresh = %+v, %v; want the answer from the kept listings", r, err)
	}
	for _, p := range onCalls {
		if n := srv.Count(p); n != 1 {
			t.Errorf("%d requests for %s, want 1", n, p)
		}
	}
}

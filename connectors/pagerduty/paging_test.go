package pagerduty

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/testkit/reqcontract"
)

// meetTransport holds each request until another one is in flight with it (or a generous
// timeout passes), and counts the requests that met one.
type meetTransport struct {
	mu       sync.Mutex
	inFlight int
	met      int
	arrived  chan struct{}
}

func (m *meetTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	m.mu.Lock()
	m.inFlight++
	if m.inFlight > 1 {
		m.met++
	}
	m.mu.Unlock()
	select { // a second request arriving wakes one waiting
	case m.arrived <- struct{}{}:
	default:
		select {
		case <-m.arrived:
		case <-time.After(2 * time.Second):
		}
	}
	defer func() { m.mu.Lock(); m.inFlight--; m.mu.Unlock() }()
	return http.DefaultTransport.RoundTrip(r)
}

// TestPagesAfterTheTotalAtOnce: once the first page has announced the total, the pages after
// it are requested together, not one after another; the rows are in the listing's order.
func TestPagesAfterTheTotalAtOnce(t *testing.T) {
	_, srv := start(t, world(), 2)
	t.Cleanup(func() { reqcontract.Check(t, "pagerduty", srv.Requests()) }) // every request in the API reference
	tr := &meetTransport{arrived: make(chan struct{})}
	c := httpx.New(httpx.Options{Source: SourceName, BaseURL: srv.URL, Auth: Auth(testToken), Header: Header(), Transport: tr})
	s := New(Options{Client: c, PageSize: 2, Now: func() time.Time { return t0 }})
	incs, err := s.Incidents(context.Background(), model.Target{})
	if err != nil {
		t.Fatal(err)
	}
	seq, _ := start(t, world(), 2)
	want, err := seq.Incidents(context.Background(), model.Target{})
	if err != nil || len(incs) != len(want) || len(want) < 5 {
		t.Fatalf("%d incidents, want %d (%v)", len(incs), len(want), err)
	}
	for i := range want {
		if incs[i].ID != want[i].ID {
			t.Errorf("incident %d: %s, want %s (the listing's order)", i, incs[i].ID, want[i].ID)
		}
	}
	if tr.met == 0 {
		t.Error("no page was requested while another was in flight")
	}
}

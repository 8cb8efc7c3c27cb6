package httpx

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// counted starts a 127.0.0.1 test server whose handler gets the 1-based request number.
func counted(t *testing.T, h func(w http.ResponseWriter, r *http.Request, n int32)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(w, r, n.Add(1))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// testClient returns a client for base with fast retry waits; o's non-zero fields win.
func testClient(t *testing.T, base string, o Options) *Client {
	t.Helper()
	o.BaseURL = base
	if o.Source == "" {
		o.Source = "test"
	}
	if o.RetryWaitMin == 0 {
		o.RetryWaitMin = time.Millisecond
	}
	if o.RetryWaitMax == 0 {
		o.RetryWaitMax = 10 * time.Millisecond
	}
	c := New(o)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

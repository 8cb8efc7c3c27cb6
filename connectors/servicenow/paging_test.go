package servicenow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/httpx"
)

// linkOnly serves n rows of a table with Link headers but no X-Total-Count (as behind
// proxies that drop it, or with sysparm_no_count): the connector must follow rel="next".
func linkOnly(t *testing.T, n int, requests *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		q := r.URL.Query()
		off, _ := strconv.Atoi(q.Get("sysparm_offset"))
		lim, _ := strconv.Atoi(q.Get("sysparm_limit"))
		var rows []map[string]string
		for i := off; i < min(off+lim, n); i++ {
			rows = append(rows, map[string]string{"sys_id": fmt.Sprintf("%032d", i), "name": fmt.Sprint("ci-", i)})
		}
		link := func(o int, rel string) string {
			q.Set("sysparm_offset", strconv.Itoa(o))
			return fmt.Sprintf("<http://%s%s?%s>;rel=%q", r.Host, r.URL.Path, q.Encode(), rel)
		}
		parts := []string{link(0, "first")}
		if off+lim < n {
			parts = append(parts, link(off+lim, "next"))
		}
		w.Header().Set("Link", strings.Join(parts, ","))
		_ = json.NewEncoder(w).Encode(map[string]any{"result": rows})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestPagingFollowsLinksWithoutCount(t *testing.T) {
	tests := []struct {
		name            string
		rows, page, cap int
		want, requests  int
		truncated       bool
	}{
		{"to the end", 7, 3, 100, 7, 3, false},
		{"exact pages", 6, 3, 100, 6, 2, false},
		{"capped", 7, 3, 5, 5, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			srv := linkOnly(t, tt.rows, &n)
			c := httpx.New(httpx.Options{Source: "servicenow", BaseURL: srv.URL, Timeout: 5 * time.Second})
			t.Cleanup(c.CloseIdleConnections)
			s := New(Options{Client: c, PageSize: tt.page, MaxRows: tt.cap})
			rows, truncated, err := s.list(context.Background(), list{table: "cmdb_ci_service", fields: []string{"sys_id", "name"}})
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != tt.want || int(n.Load()) != tt.requests || truncated != tt.truncated {
				t.Errorf("rows %d requests %d truncated %v, want %d %d %v", len(rows), n.Load(), truncated, tt.want, tt.requests, tt.truncated)
			}
			for i, r := range rows {
				if r.str("name") != fmt.Sprint("ci-", i) {
					t.Fatalf("row %d = %v: pages out of order", i, r)
				}
			}
		})
	}
}

// TestPagingLoopFails: an instance behind a proxy that drops X-Total-Count and ignores
// sysparm_offset (every page is page 1, the next link advancing or not) fails the listing
// with a paging loop instead of reading page 1 until max_rows.
func TestPagingLoopFails(t *testing.T) {
	for _, advance := range []bool{true, false} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			off, _ := strconv.Atoi(q.Get("sysparm_offset"))
			if advance {
				off += 2
			}
			q.Set("sysparm_offset", strconv.Itoa(off))
			w.Header().Set("Link", fmt.Sprintf("<http://%s%s?%s>;rel=\"next\"", r.Host, r.URL.Path, q.Encode()))
			_, _ = w.Write([]byte(`{"result":[{"sys_id":"a","name":"ci-a"},{"sys_id":"b","name":"ci-b"}]}`))
		}))
		t.Cleanup(srv.Close)
		c := httpx.New(httpx.Options{Source: "servicenow", BaseURL: srv.URL, Timeout: 5 * time.Second})
		t.Cleanup(c.CloseIdleConnections)
		s := New(Options{Client: c, PageSize: 2, MaxRows: 100})
		rows, _, err := s.list(context.Background(), list{table: "cmdb_ci_service", fields: []string{"sys_id", "name"}})
		if !errors.Is(err, connectors.ErrPagingLoop) || len(rows) != 0 {
			t.Errorf("next link advancing %v: %d rows, %v; want none and a paging loop", advance, len(rows), err)
		}
	}
}

func TestParallelPagesKeepOrder(t *testing.T) {
	srv := start(t, shop(), creds)
	s := source(t, srv, "opsctx", "s3cret", Options{PageSize: 1, Parallel: 3})
	rows, truncated, err := s.list(context.Background(), list{table: "cmdb_ci_service", query: "ORDERBYname", fields: []string{"name"}})
	if err != nil || truncated {
		t.Fatal(err, truncated)
	}
	var names []string
	for _, r := range rows {
		names = append(names, r.str("name"))
	}
	if got := strings.Join(names, ","); got != "Cart App Service,Checkout Service,Legacy Service,Payments Service,Search Service" {
		t.Errorf("rows = %s", got)
	}
}

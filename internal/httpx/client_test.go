package httpx

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/metrics"
	"github.com/opsctx/opsctx/internal/version"
)

// TestServerRequestedWait: a 429/503 with a rate-limit header is retried after the requested wait.
func TestServerRequestedWait(t *testing.T) {
	tests := []struct {
		name string
		code int
		// header returns the header to send at now and the wait it requests.
		header func(now time.Time) (k, v string, wait time.Duration)
	}{
		{"Retry-After seconds", 429, func(time.Time) (string, string, time.Duration) { return "Retry-After", "1", time.Second }},
		{"Retry-After HTTP-date", 429, func(now time.Time) (string, string, time.Duration) {
			at := now.Add(2 * time.Second).Truncate(time.Second)
			return "Retry-After", at.UTC().Format(http.TimeFormat), at.Sub(now)
		}},
		{"Retry-After on 503", 503, func(time.Time) (string, string, time.Duration) { return "Retry-After", "1", time.Second }},
		{"PagerDuty ratelimit-reset", 429, func(time.Time) (string, string, time.Duration) { return "ratelimit-reset", "1", time.Second }},
		{"ServiceNow X-RateLimit-Reset epoch", 429, func(now time.Time) (string, string, time.Duration) {
			at := now.Add(2 * time.Second).Truncate(time.Second)
			return "X-RateLimit-Reset", strconv.FormatInt(at.Unix(), 10), at.Sub(now)
		}},
		{"Opsgenie X-RateLimit-Period-In-Sec", 429, func(time.Time) (string, string, time.Duration) {
			return "X-RateLimit-Period-In-Sec", "1", time.Second
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var first, second time.Time
			var want time.Duration
			srv, n := counted(t, func(w http.ResponseWriter, r *http.Request, n int32) {
				mu.Lock()
				defer mu.Unlock()
				if n == 1 {
					first = time.Now()
					k, v, d := tt.header(first)
					want = d
					w.Header().Set(k, v)
					w.WriteHeader(tt.code)
					return
				}
				second = time.Now()
				fmt.Fprint(w, `{"ok":true}`)
			})
			c := testClient(t, srv.URL, Options{Timeout: 5 * time.Second})
			var out struct{ OK bool }
			if _, err := c.GetJSON(context.Background(), "/x", nil, &out); err != nil || !out.OK {
				t.Fatalf("GetJSON = %v, %+v", err, out)
			}
			mu.Lock()
			defer mu.Unlock()
			if got := n.Load(); got != 2 {
				t.Fatalf("requests = %d, want 2", got)
			}
			if gap := second.Sub(first); gap < want-50*time.Millisecond {
				t.Fatalf("waited %v between attempts, want >= %v", gap, want)
			}
		})
	}
}

// TestRetryPolicy checks which methods and statuses are retried, by counting requests.
func TestRetryPolicy(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		codes      []int // per request; the last repeats
		retryMax   int
		wantN      int32
		wantStatus int // 0 = success
		wantMsg    string
	}{
		{"GET 500 then ok", "GET", []int{500, 500, 200}, 3, 3, 0, ""},
		{"GET 502 exhausts retries", "GET", []int{502}, 2, 3, 502, "boom"},
		{"GET 429 no header then ok", "GET", []int{429, 200}, 3, 2, 0, ""},
		{"GET 501 not retried", "GET", []int{501}, 3, 1, 501, "boom"},
		{"GET 404 not retried", "GET", []int{404}, 3, 1, 404, "Incident not found"},
		{"GET 400 not retried", "GET", []int{400}, 3, 1, 400, "boom"},
		{"GET retries disabled", "GET", []int{500}, -1, 1, 500, "boom"},
		{"POST 500 not retried", "POST", []int{500, 200}, 3, 1, 500, "boom"},
		{"POST 503 not retried", "POST", []int{503, 200}, 3, 1, 503, "boom"},
		{"POST 429 retried", "POST", []int{429, 200}, 3, 2, 0, ""},
		{"PUT 502 not retried", "PUT", []int{502, 200}, 3, 1, 502, "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var badBody atomic.Int32
			srv, n := counted(t, func(w http.ResponseWriter, r *http.Request, n int32) {
				if r.Method == "POST" || r.Method == "PUT" {
					if b, _ := io.ReadAll(r.Body); string(b) != `{"a":1}` {
						badBody.Add(1)
					}
				}
				code := tt.codes[min(int(n), len(tt.codes))-1]
				switch {
				case code == 404:
					w.WriteHeader(code)
					fmt.Fprint(w, `{"error":{"message":"Incident not found","code":2100}}`)
				case code >= 300:
					w.WriteHeader(code)
					fmt.Fprint(w, `{"message":"boom"}`)
				default:
					fmt.Fprint(w, `{}`)
				}
			})
			c := testClient(t, srv.URL+"/api", Options{Source: "pagerduty", RetryMax: tt.retryMax})
			req, _ := http.NewRequestWithContext(context.Background(), tt.method, "/incidents/P1", strings.NewReader(`{"a":1}`))
			if tt.method == "GET" {
				req, _ = http.NewRequestWithContext(context.Background(), tt.method, "/incidents/P1", nil)
			}
			resp, err := c.Do(req)
			if got := n.Load(); got != tt.wantN {
				t.Errorf("requests = %d, want %d", got, tt.wantN)
			}
			if badBody.Load() != 0 {
				t.Errorf("request body not replayed intact")
			}
			if tt.wantStatus == 0 {
				if err != nil || resp.Status != 200 || string(resp.Body) != "{}" {
					t.Fatalf("Do = %+v, %v; want 200", resp, err)
				}
				if want := slices.Contains(tt.codes[:tt.wantN-1], 429); resp.Throttled != want {
					t.Errorf("Throttled = %v, want %v (an earlier attempt answered 429)", resp.Throttled, want)
				}
				return
			}
			var se *StatusError
			if !errors.As(err, &se) || resp != nil {
				t.Fatalf("Do = %+v, %v; want *StatusError", resp, err)
			}
			if se.Status != tt.wantStatus || se.Message != tt.wantMsg || StatusOf(err) != tt.wantStatus {
				t.Fatalf("StatusError = %+v, want status %d message %q", se, tt.wantStatus, tt.wantMsg)
			}
			want := fmt.Sprintf("pagerduty: HTTP %d %s: %s (%s %s/api/incidents/P1)", tt.wantStatus, http.StatusText(tt.wantStatus), tt.wantMsg, tt.method, srv.URL)
			if err.Error() != want {
				t.Fatalf("Error() = %q, want %q", err, want)
			}
		})
	}
}

// TestWaitBeyondDeadline: a requested wait longer than the remaining time returns the 429 at once.
func TestWaitBeyondDeadline(t *testing.T) {
	tests := []struct {
		name       string
		header     [2]string
		timeout    time.Duration // Options.Timeout
		callerWait time.Duration // caller ctx deadline, 0 = none
		wantAfter  time.Duration
	}{
		{"Retry-After vs Timeout", [2]string{"Retry-After", "5"}, time.Second, 0, 5 * time.Second},
		{"Retry-After vs caller deadline", [2]string{"Retry-After", "5"}, time.Minute, time.Second, 5 * time.Second},
		{"Opsgenie period", [2]string{"X-RateLimit-Period-In-Sec", "60"}, 2 * time.Second, 0, time.Minute},
		{"longer than the 30s cap", [2]string{"Retry-After", "3600"}, time.Minute, 0, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, n := counted(t, func(w http.ResponseWriter, r *http.Request, n int32) {
				w.Header().Set(tt.header[0], tt.header[1])
				w.WriteHeader(429)
				fmt.Fprint(w, `{"message":"You are making too many requests!"}`)
			})
			c := testClient(t, srv.URL, Options{Source: "opsgenie", Timeout: tt.timeout})
			ctx := context.Background()
			if tt.callerWait > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.callerWait)
				defer cancel()
			}
			start := time.Now()
			_, err := c.Get(ctx, "/v2/alerts", nil)
			if el := time.Since(start); el > 300*time.Millisecond {
				t.Errorf("took %v, want an immediate return", el)
			}
			if got := n.Load(); got != 1 {
				t.Errorf("requests = %d, want 1", got)
			}
			var se *StatusError
			if !errors.As(err, &se) || se.Status != 429 || se.RetryAfter != tt.wantAfter {
				t.Fatalf("err = %v, want 429 StatusError with RetryAfter %v", err, tt.wantAfter)
			}
			if !strings.Contains(err.Error(), "You are making too many requests!") {
				t.Errorf("err = %q lacks vendor message", err)
			}
		})
	}
}

// TestNoRetryAfterDeadline: once the time budget or the caller ctx is done, nothing more is sent.
func TestNoRetryAfterDeadline(t *testing.T) {
	t.Run("budget spent on slow 500s", func(t *testing.T) {
		t.Parallel()
		srv, n := counted(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
			select {
			case <-time.After(100 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
			w.WriteHeader(500)
		})
		c := testClient(t, srv.URL, Options{Timeout: 250 * time.Millisecond, RetryMax: 20})
		start := time.Now()
		_, err := c.Get(context.Background(), "/x", nil)
		if el := time.Since(start); err == nil || el > 450*time.Millisecond {
			t.Fatalf("Get = %v after %v; want an error within the budget", err, el)
		}
		if !errors.Is(err, context.DeadlineExceeded) && StatusOf(err) != 500 {
			t.Fatalf("err = %v, want deadline exceeded or the last 500", err)
		}
		sent := n.Load()
		if sent < 2 || sent > 3 {
			t.Errorf("requests = %d, want 2-3 within 250ms", sent)
		}
		time.Sleep(200 * time.Millisecond)
		if got := n.Load(); got != sent {
			t.Fatalf("requests grew from %d to %d after the call returned", sent, got)
		}
	})
	t.Run("caller ctx already cancelled", func(t *testing.T) {
		t.Parallel()
		srv, n := counted(t, func(w http.ResponseWriter, r *http.Request, _ int32) {})
		c := testClient(t, srv.URL, Options{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := c.Get(ctx, "/x", nil); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if got := n.Load(); got != 0 {
			t.Fatalf("requests = %d, want 0", got)
		}
	})
	t.Run("caller cancel during backoff", func(t *testing.T) {
		t.Parallel()
		srv, n := counted(t, func(w http.ResponseWriter, r *http.Request, _ int32) { w.WriteHeader(503) })
		c := testClient(t, srv.URL, Options{RetryWaitMin: 200 * time.Millisecond, RetryWaitMax: 200 * time.Millisecond})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := c.Get(ctx, "/x", nil)
		if StatusOf(err) != 503 || n.Load() != 1 {
			t.Fatalf("err = %v after %d requests; want the 503 after 1 request (backoff longer than deadline)", err, n.Load())
		}
	})
}

func TestBody(t *testing.T) {
	const limit = 1024
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter)
		wantLen int
		wantErr string
	}{
		{"at cap", func(w http.ResponseWriter) { w.Write(bytes.Repeat([]byte("a"), limit)) }, limit, ""},
		{"over cap with Content-Length", func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", strconv.Itoa(limit+1))
			w.Write(bytes.Repeat([]byte("a"), limit+1))
		}, 0, "exceeds the 1024 bytes limit"},
		{"over cap chunked", func(w http.ResponseWriter) {
			for range 8 {
				w.Write(bytes.Repeat([]byte("a"), 512))
				w.(http.Flusher).Flush()
			}
		}, 0, "exceeds the 1024 bytes limit"},
		{"truncated", func(w http.ResponseWriter) {
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				panic(err)
			}
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + strings.Repeat("a", 50))
			buf.Flush()
			conn.Close()
		}, 0, "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, n := counted(t, func(w http.ResponseWriter, r *http.Request, _ int32) { tt.handler(w) })
			c := testClient(t, srv.URL, Options{Source: "dynatrace", MaxBodyBytes: limit})
			resp, err := c.Get(context.Background(), "/x", nil)
			if tt.wantErr == "" {
				if err != nil || len(resp.Body) != tt.wantLen {
					t.Fatalf("Get = %v; want %d bytes", err, tt.wantLen)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "dynatrace: ") {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(tt.wantErr, "limit") {
				if e := (*BodyTooLargeError)(nil); !errors.As(err, &e) || e.Limit != limit {
					t.Fatalf("err = %T %v, want *BodyTooLargeError", err, err)
				}
			}
			if n.Load() != 1 {
				t.Fatalf("requests = %d, want 1", n.Load())
			}
		})
	}
}

func TestMalformedJSON(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"truncated", `{"incidents": [{"id": "P1"`, `body starts: "{\"incidents\": [{\"id\": \"P1\""`},
		{"html", "<html><body>Login required</body></html>", `body starts: "<html><body>Login required</body></html>"`},
		{"empty", "", `unexpected end of JSON input`},
		{"wrong type", `{"incidents": 5}`, `cannot unmarshal number`},
		{"long", `{"x": "` + strings.Repeat("y", 1000), "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := counted(t, func(w http.ResponseWriter, r *http.Request, _ int32) { fmt.Fprint(w, tt.body) })
			c := testClient(t, srv.URL, Options{Source: "pagerduty"})
			var out struct{ Incidents []struct{ ID string } }
			resp, err := c.GetJSON(context.Background(), "/incidents", nil, &out)
			if err == nil || resp != nil {
				t.Fatalf("GetJSON = %+v, %v; want error", resp, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "malformed JSON from pagerduty: ") || !strings.Contains(msg, tt.want) {
				t.Fatalf("err = %q, want prefix %q and %q", msg, "malformed JSON from pagerduty: ", tt.want)
			}
			if len(msg) > 450 {
				t.Fatalf("err is %d bytes, want a short snippet", len(msg))
			}
		})
	}
}

// ownDecoder decodes the body itself, and refuses a body without "ok".
type ownDecoder struct{ got string }

func (d *ownDecoder) DecodeBody(b []byte) error {
	if !strings.Contains(string(b), "ok") {
		return errors.New("no ok in the body")
	}
	d.got = string(b)
	return nil
}

func TestBodyDecoder(t *testing.T) {
	tests := []struct{ name, body, wantGot, wantErr string }{
		{"decoded by the result", `{"ok": true}`, `{"ok": true}`, ""},
		{"its failure is malformed JSON", `{"bad": true}`, "", "malformed JSON from servicenow: no ok in the body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := counted(t, func(w http.ResponseWriter, r *http.Request, _ int32) { fmt.Fprint(w, tt.body) })
			c := testClient(t, srv.URL, Options{Source: "servicenow"})
			var out ownDecoder
			_, err := c.GetJSON(context.Background(), "/x", nil, &out)
			if out.got != tt.wantGot || (err == nil) != (tt.wantErr == "") || (err != nil && !strings.HasPrefix(err.Error(), tt.wantErr)) {
				t.Fatalf("GetJSON decoded %q, %v; want %q, %q", out.got, err, tt.wantGot, tt.wantErr)
			}
		})
	}
}

// TestSlowBodyAbortedAtDeadline: a trickling body cannot outlive the time budget.
func TestSlowBodyAbortedAtDeadline(t *testing.T) {
	srv, _ := counted(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
		w.Header().Set("Content-Length", "1000")
		for range 1000 {
			if _, err := w.Write([]byte("a")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-time.After(20 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
	})
	c := testClient(t, srv.URL, Options{Timeout: 300 * time.Millisecond})
	start := time.Now()
	_, err := c.Get(context.Background(), "/x", nil)
	el := time.Since(start)
	if err == nil || el > time.Second || el < 250*time.Millisecond {
		t.Fatalf("Get = %v after %v; want an error at the 300ms deadline", err, el)
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "reading response body") {
		t.Fatalf("err = %v, want a deadline error while reading the body", err)
	}
}

func TestBasePathAndNextLink(t *testing.T) {
	var paths []string
	var mu sync.Mutex
	var srv *httptest.Server
	srv, _ = counted(t, func(w http.ResponseWriter, r *http.Request, n int32) {
		mu.Lock()
		paths = append(paths, r.URL.RequestURI())
		mu.Unlock()
		if n == 1 {
			w.Header().Set("Link", fmt.Sprintf(`<%s/e/abc123/api/v2/problems?nextPageKey=K2>; rel="next"`, srv.URL))
		}
		fmt.Fprint(w, `{}`)
	})
	c := testClient(t, srv.URL+"/e/abc123", Options{})
	resp, err := c.Get(context.Background(), "/api/v2/problems", url.Values{"pageSize": {"5"}})
	if err != nil {
		t.Fatal(err)
	}
	next := strings.Trim(strings.SplitN(resp.Header.Get("Link"), ";", 2)[0], "<>")
	if _, err := c.Get(context.Background(), next, nil); err != nil {
		t.Fatal(err)
	}
	want := []string{"/e/abc123/api/v2/problems?pageSize=5", "/e/abc123/api/v2/problems?nextPageKey=K2"}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(paths) != fmt.Sprint(want) {
		t.Fatalf("paths = %q, want %q", paths, want)
	}
}

// TestOtherHostRefused: credentials never go to a host other than BaseURL's.
func TestOtherHostRefused(t *testing.T) {
	other, otherN := counted(t, func(w http.ResponseWriter, r *http.Request, _ int32) {})
	srv, n := counted(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
	})
	c := testClient(t, srv.URL, Options{Auth: func(r *http.Request) { r.Header.Set("Authorization", "GenieKey k") }})
	tests := []struct{ name, path string }{
		{"absolute next link", other.URL + "/v2/alerts?offset=20"},
		{"redirect", "/v2/alerts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Get(context.Background(), tt.path, nil)
			if !errors.Is(err, errOtherOrigin) {
				t.Fatalf("err = %v, want refusal", err)
			}
		})
	}
	if otherN.Load() != 0 || n.Load() != 1 {
		t.Fatalf("requests: other host %d (want 0), base %d (want 1, redirect not retried)", otherN.Load(), n.Load())
	}
}

func TestHeaders(t *testing.T) {
	tests := []struct {
		name       string
		opts       Options
		reqHeader  http.Header
		wantAccept string
		wantAuth   string
		wantExtra  string
	}{
		{"defaults", Options{}, nil, "application/json", "", ""},
		{"pagerduty", Options{
			Auth:   func(r *http.Request) { r.Header.Set("Authorization", "Token token=abc") },
			Header: http.Header{"accept": {"application/vnd.pagerduty+json;version=2"}, "X-Extra": {"1"}},
		}, nil, "application/vnd.pagerduty+json;version=2", "Token token=abc", "1"},
		{"request header wins", Options{Header: http.Header{"X-Extra": {"1"}}}, http.Header{"X-Extra": {"2"}, "Accept": {"text/plain"}}, "text/plain", "", "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got http.Header
			srv, _ := counted(t, func(w http.ResponseWriter, r *http.Request, _ int32) { got = r.Header.Clone() })
			c := testClient(t, srv.URL, tt.opts)
			req, _ := http.NewRequestWithContext(context.Background(), "GET", "/x", nil)
			for k, v := range tt.reqHeader {
				req.Header[k] = v
			}
			if _, err := c.Do(req); err != nil {
				t.Fatal(err)
			}
			if ua := got.Get("User-Agent"); ua != version.UserAgent() || !strings.HasPrefix(ua, "opsctx/") {
				t.Errorf("User-Agent = %q, want %q", ua, version.UserAgent())
			}
			if got.Get("Accept") != tt.wantAccept || got.Get("Authorization") != tt.wantAuth || got.Get("X-Extra") != tt.wantExtra {
				t.Errorf("headers = %v", got)
			}
			if req.Header.Get("User-Agent") != "" {
				t.Errorf("caller's request was mutated")
			}
		})
	}
}

func TestMetricsPerAttempt(t *testing.T) {
	srv, _ := counted(t, func(w http.ResponseWriter, r *http.Request, n int32) {
		if n < 3 {
			w.WriteHeader(502)
		}
	})
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	source := fmt.Sprintf("metricstest%d", time.Now().UnixNano()) // unique: the registry is global
	if _, err := testClient(t, srv.URL, Options{Source: source}).Get(context.Background(), "/x", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := testClient(t, closed.URL, Options{Source: source, RetryMax: -1}).Get(context.Background(), "/x", nil); err == nil {
		t.Fatal("want a connection error")
	}
	var buf bytes.Buffer
	if err := metrics.Default.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`opsctx_upstream_request_duration_seconds_count{source="` + source + `",code="502"} 2`,
		`opsctx_upstream_request_duration_seconds_count{source="` + source + `",code="200"} 1`,
		`opsctx_upstream_request_duration_seconds_count{source="` + source + `",code="0"} 1`,
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestSecretsNeverLeak: a canary secret sent in the Authorization header and
// the query, and echoed back by the server, appears in no error and no log line.
func TestSecretsNeverLeak(t *testing.T) {
	const canary = "CANARYs3cr3t/+&=<x>"
	const core = "CANARYs3cr3t"              // present in every escaped form of canary
	const unlisted = "hunter2hunter2hunter2" // not in Secrets; masked by its key name
	var sawAuth atomic.Bool
	srv, _ := counted(t, func(w http.ResponseWriter, r *http.Request, n int32) {
		if r.Header.Get("Authorization") == "Token token="+canary {
			sawAuth.Store(true)
		}
		echo := r.Header.Get("Authorization") + " " + r.URL.RawQuery + " " + r.URL.Query().Get("token")
		switch r.URL.Path {
		case "/json":
			fmt.Fprint(w, "not json "+echo)
		case "/flaky":
			w.WriteHeader(500)
			fmt.Fprint(w, echo)
		case "/redirect":
			http.Redirect(w, r, "http://elsewhere.invalid/?token="+url.QueryEscape(canary), http.StatusFound)
		default:
			b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": "Invalid token: " + echo}})
			w.WriteHeader(401)
			w.Write(b)
		}
	})
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts := Options{
		Source:  "pagerduty",
		Secrets: []string{canary},
		Logger:  logger,
		Auth:    func(r *http.Request) { r.Header.Set("Authorization", "Token token="+canary) },
	}
	c := testClient(t, srv.URL, opts)
	dead := testClient(t, closed.URL, opts)
	q := url.Values{"token": {canary}, "password": {unlisted}, "q": {"x"}}
	ctx := context.Background()
	var errs []error
	_, err := c.Get(ctx, "/incidents", q)
	errs = append(errs, err)
	_, err = c.Get(ctx, "/flaky", q)
	errs = append(errs, err)
	_, err = c.GetJSON(ctx, "/json", q, &struct{}{})
	errs = append(errs, err)
	_, err = c.Get(ctx, "/redirect", q)
	errs = append(errs, err)
	_, err = c.URL("http://elsewhere.invalid/?token="+url.QueryEscape(canary), nil)
	errs = append(errs, err)
	_, err = c.URL("/%zz"+canary, nil)
	errs = append(errs, err)
	_, err = dead.Get(ctx, "/incidents", q)
	errs = append(errs, err)
	req, _ := http.NewRequestWithContext(ctx, "POST", "/incidents?"+q.Encode(), strings.NewReader(canary))
	_, err = c.Do(req)
	errs = append(errs, err)

	if !sawAuth.Load() {
		t.Fatal("server never saw the canary: test is not exercising redaction")
	}
	for i, err := range errs {
		if err == nil {
			t.Fatalf("call %d: want an error", i)
		}
		if s := err.Error(); strings.Contains(s, core) || strings.Contains(s, unlisted) {
			t.Errorf("call %d: error leaks a secret: %s", i, s)
		}
	}
	if StatusOf(errs[0]) != 401 || !strings.Contains(errs[0].Error(), "Invalid token: [REDACTED]") {
		t.Errorf("401 error = %v, want the redacted vendor message", errs[0])
	}
	out := logs.String()
	if !strings.Contains(out, "upstream request") || !strings.Contains(out, "upstream retry") {
		t.Fatalf("expected request and retry debug logs, got:\n%s", out)
	}
	for _, leak := range []string{core, unlisted, "Token token"} {
		if strings.Contains(out, leak) {
			t.Errorf("logs leak %q:\n%s", leak, out)
		}
	}
}

func TestEchoedBasicAuthIsMasked(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":{"message":"bad credentials ` + r.Header.Get("Authorization") + `"}}`))
	}))
	defer srv.Close()
	c := New(Options{Source: "t", BaseURL: srv.URL, Auth: func(r *http.Request) { r.SetBasicAuth("opsctx", "canary-pw-123") }})
	_, err := c.Get(context.Background(), "/x", nil)
	if err == nil {
		t.Fatal("want 401 error")
	}
	if enc := base64.StdEncoding.EncodeToString([]byte("opsctx:canary-pw-123")); strings.Contains(err.Error(), enc) {
		t.Errorf("echoed basic auth leaked: %v", err)
	}
}

func TestRateLimitCooldownStopsFurtherRequests(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c := New(Options{Source: "t", BaseURL: srv.URL, Timeout: time.Second})
	for i, path := range []string{"/a", "/b", "/a"} {
		_, err := c.Get(context.Background(), path, nil)
		if StatusOf(err) != http.StatusTooManyRequests {
			t.Fatalf("call %d: %v, want 429", i, err)
		}
		if i > 0 && !strings.Contains(err.Error(), "not sent") {
			t.Errorf("call %d should not have been sent: %v", i, err)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("upstream asked %d times during its Retry-After, want 1", n)
	}
}

// TestConcurrentCallsKeepTheirConnections: the connections one answer opened to a host for its
// concurrent requests serve the next answer's, instead of being closed and dialled again.
func TestConcurrentCallsKeepTheirConnections(t *testing.T) {
	const n = 8
	var (
		dialled atomic.Int32
		arrived sync.WaitGroup
	)
	arrived.Add(n)
	first := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("round") == "1" { // hold each until all n are in, so that n connections open
			arrived.Done()
			<-first
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dialled.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := New(Options{BaseURL: srv.URL})
	round := func(r string) {
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				if _, err := c.GetJSON(context.Background(), "x", url.Values{"round": {r}}, nil); err != nil {
					t.Error(err)
				}
			})
		}
		if r == "1" {
			arrived.Wait()
			close(first)
		}
		wg.Wait()
	}
	round("1")
	round("2")
	// A connection goes back to the pool just after its caller read the body, so one or two
	// may not be back when the second round starts; dropping all but 3 would dial 5 more.
	if got := dialled.Load(); got > n+2 {
		t.Errorf("%d connections for two rounds of %d concurrent calls, want %d (the first round's kept)", got, n, n)
	}
}

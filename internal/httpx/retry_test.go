package httpx

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestServerWait(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header map[string]string
		want   time.Duration
		wantOK bool
	}{
		{"none", nil, 0, false},
		{"retry-after seconds", map[string]string{"Retry-After": "5"}, 5 * time.Second, true},
		{"retry-after zero", map[string]string{"Retry-After": "0"}, 0, true},
		{"retry-after date", map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)}, 90 * time.Second, true},
		{"retry-after past date", map[string]string{"Retry-After": now.Add(-time.Minute).Format(http.TimeFormat)}, 0, true},
		{"retry-after garbage falls through", map[string]string{"Retry-After": "soon", "ratelimit-reset": "7"}, 7 * time.Second, true},
		{"retry-after negative ignored", map[string]string{"Retry-After": "-3"}, 0, false},
		{"retry-after wins", map[string]string{"Retry-After": "2", "ratelimit-reset": "7"}, 2 * time.Second, true},
		{"pagerduty ratelimit-reset", map[string]string{"ratelimit-reset": "12"}, 12 * time.Second, true},
		{"servicenow reset epoch s", map[string]string{"X-RateLimit-Reset": strconv.FormatInt(now.Unix()+45, 10)}, 45 * time.Second, true},
		{"servicenow reset epoch ms", map[string]string{"X-RateLimit-Reset": strconv.FormatInt(now.UnixMilli()+1500, 10)}, 1500 * time.Millisecond, true},
		{"servicenow reset epoch past", map[string]string{"X-RateLimit-Reset": strconv.FormatInt(now.Unix()-10, 10)}, 0, true},
		{"reset small is seconds", map[string]string{"X-RateLimit-Reset": "30"}, 30 * time.Second, true},
		{"atlassian reset minute", map[string]string{"X-RateLimit-Reset": now.Add(2 * time.Minute).Format("2006-01-02T15:04Z")}, 2 * time.Minute, true},
		{"atlassian reset seconds", map[string]string{"X-RateLimit-Reset": now.Add(20 * time.Second).Format(time.RFC3339)}, 20 * time.Second, true},
		{"atlassian retry-after wins", map[string]string{"Retry-After": "3", "X-RateLimit-Reset": now.Add(2 * time.Minute).Format("2006-01-02T15:04Z")}, 3 * time.Second, true},
		{"opsgenie period", map[string]string{"X-RateLimit-Period-In-Sec": "60"}, time.Minute, true},
		{"fractional seconds", map[string]string{"Retry-After": "1.5"}, 1500 * time.Millisecond, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			got, ok := serverWait(h, now)
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("serverWait = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestRetryAfterOnlyOn429And503(t *testing.T) {
	for code, want := range map[int]bool{429: true, 503: true, 500: false, 200: false} {
		resp := &http.Response{StatusCode: code, Header: http.Header{"Retry-After": {"3"}}}
		if _, ok := retryAfter(resp, time.Now()); ok != want {
			t.Errorf("retryAfter(%d) ok = %v, want %v", code, ok, want)
		}
	}
}

func TestRetryable(t *testing.T) {
	dial := fmt.Errorf("wrapped: %w", &net.OpError{Op: "dial", Net: "tcp", Err: fmt.Errorf("connection refused")})
	read := &net.OpError{Op: "read", Net: "tcp", Err: fmt.Errorf("connection reset by peer")}
	dns := &net.DNSError{Err: "no such host", Name: "x.invalid"}
	tests := []struct {
		method string
		code   int
		err    error
		want   bool
	}{
		{"GET", 200, nil, false},
		{"GET", 404, nil, false},
		{"GET", 429, nil, true},
		{"GET", 500, nil, true},
		{"GET", 501, nil, false},
		{"GET", 502, nil, true},
		{"GET", 503, nil, true},
		{"HEAD", 504, nil, true},
		{"OPTIONS", 500, nil, true},
		{"GET", 0, read, true},
		{"GET", 0, dial, true},
		{"GET", 0, fmt.Errorf("x: %w", errOtherOrigin), false},
		{"POST", 500, nil, false},
		{"POST", 503, nil, false},
		{"POST", 429, nil, true},
		{"PATCH", 429, nil, true},
		{"PUT", 502, nil, false},
		{"DELETE", 500, nil, false},
		{"POST", 0, dial, true},
		{"POST", 0, dns, true},
		{"POST", 0, read, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s_%d_%v", tt.method, tt.code, tt.err), func(t *testing.T) {
			var resp *http.Response
			if tt.err == nil {
				resp = &http.Response{StatusCode: tt.code}
			}
			if got := retryable(context.Background(), idempotent(tt.method), resp, tt.err); got != tt.want {
				t.Fatalf("retryable = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	lo, hi := 100*time.Millisecond, time.Second
	tests := []struct {
		attempt        int
		wantLo, wantHi time.Duration
	}{
		{1, lo, lo},
		{2, lo, 200 * time.Millisecond},
		{3, 200 * time.Millisecond, 400 * time.Millisecond},
		{5, 500 * time.Millisecond, hi},
		{50, 500 * time.Millisecond, hi},
	}
	for _, tt := range tests {
		for range 50 {
			if got := backoff(lo, hi, tt.attempt); got < tt.wantLo || got > tt.wantHi {
				t.Fatalf("backoff(attempt %d) = %v, want in [%v, %v]", tt.attempt, got, tt.wantLo, tt.wantHi)
			}
		}
	}
}

package fuzzcheck

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/opsctx/opsctx/internal/httpx"
)

// get fetches path from u with its client and returns the status, the named response
// header and the body.
func get(t *testing.T, u *Upstream, path, header string) (int, string, string) {
	t.Helper()
	resp, err := u.Client.Get(context.Background(), path, nil)
	if se, ok := errors.AsType[*httpx.StatusError](err); ok {
		return se.Status, "", ""
	}
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.Status, resp.Header.Get(header), string(resp.Body)
}

func TestUpstream(t *testing.T) {
	var reqPath string
	u := NewUpstream(t, httpx.Options{Source: "fake", BaseURL: "/e/fuzz",
		Auth: func(r *http.Request) { reqPath = r.URL.Path; r.Header.Set("Authorization", "Bearer x") }})

	if code, _, body := get(t, u, "/api/x", ""); code != http.StatusOK || body != "" || u.Requests() != 1 {
		t.Errorf("before Serve: %d %q after %d requests, want an empty 200 after 1", code, body, u.Requests())
	}
	if reqPath != "/e/fuzz/api/x" {
		t.Errorf("request path %q, want the BaseURL path prefix kept", reqPath)
	}

	u.Serve(Answer{PathSuffix: "/on-calls", Body: []byte(`{"oncall":1}`)},
		Answer{Body: []byte(`{"list":[]}`), Header: map[string]string{"Link": "<next>;\r\n rel=\"next\"\xff", "X-Total-Count": "\n"}})
	if u.Requests() != 0 {
		t.Errorf("Serve left %d requests counted, want 0", u.Requests())
	}
	if code, link, body := get(t, u, "/api/list", "Link"); code != http.StatusOK || body != `{"list":[]}` || link != `<next>; rel="next"` {
		t.Errorf("list: %d Link %q body %q", code, link, body)
	}
	if _, total, _ := get(t, u, "/api/list", "X-Total-Count"); total != "" {
		t.Errorf("X-Total-Count %q, want none (empty once cleaned)", total)
	}
	if _, _, body := get(t, u, "/api/schedules/s1/on-calls", ""); body != `{"oncall":1}` {
		t.Errorf("on-calls body %q, want the on-call answer", body)
	}
	if u.Requests() != 3 {
		t.Errorf("%d requests since Serve, want 3", u.Requests())
	}

	u.Serve(Answer{Status: http.StatusServiceUnavailable, Body: []byte(`{}`)})
	if code, _, _ := get(t, u, "/api/list", ""); code != http.StatusServiceUnavailable || u.Requests() != 1 {
		t.Errorf("status %d after %d requests, want 503 after 1 (no retries)", code, u.Requests())
	}
}

func TestHeaderValue(t *testing.T) {
	for in, want := range map[string]string{"": "", "12": "12", "a\tb\r\nc\x7f\xffd": "abcd", "</x>; rel=\"next\"": "</x>; rel=\"next\""} {
		if got := HeaderValue(in); got != want {
			t.Errorf("HeaderValue(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWithNoValue(t *testing.T) {
	got, err := With(func(_ context.Context, n int) (int, error) { return n * 2, nil }, 21)(context.Background())
	if got != 42 || err != nil {
		t.Errorf("With: %d, %v", got, err)
	}
	boom := errors.New("boom")
	if _, err := NoValue(func(context.Context) error { return boom })(context.Background()); err != boom {
		t.Errorf("NoValue: %v, want boom", err)
	}
}

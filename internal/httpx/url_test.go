package httpx

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	tests := []struct {
		name, base, path string
		query            url.Values
		want             string
		wantErr          string
	}{
		{"plain", "https://api.pagerduty.com", "/incidents", nil, "https://api.pagerduty.com/incidents", ""},
		{"base path kept", "https://host/e/abc123", "/api/v2/problems", nil, "https://host/e/abc123/api/v2/problems", ""},
		{"base path trailing slash", "https://host/e/abc123/", "api/v2/problems", nil, "https://host/e/abc123/api/v2/problems", ""},
		{"query added", "https://host/e/abc", "/api/v2/problems", url.Values{"pageSize": {"5"}, "from": {"now-2h"}}, "https://host/e/abc/api/v2/problems?from=now-2h&pageSize=5", ""},
		{"path query merged", "https://h", "/v2/alerts?limit=100", url.Values{"offset": {"20"}}, "https://h/v2/alerts?limit=100&offset=20", ""},
		{"escaped segment kept", "https://h/api/catalog", "/entities/by-name/component/default/a%2Fb", nil, "https://h/api/catalog/entities/by-name/component/default/a%2Fb", ""},
		{"empty path", "https://h/e/abc", "", nil, "https://h/e/abc", ""},
		{"fragment dropped", "https://h", "/x#frag", nil, "https://h/x", ""},
		{"absolute same host as is", "https://h/e/abc", "https://h/e/abc/api/v2/problems?nextPageKey=AQ%3D%3D", nil, "https://h/e/abc/api/v2/problems?nextPageKey=AQ%3D%3D", ""},
		{"absolute default port", "https://H", "https://h:443/v2/alerts?offset=20", nil, "https://h:443/v2/alerts?offset=20", ""},
		{"absolute other host", "https://api.opsgenie.com", "https://evil.example/v2/alerts", nil, "", "host other than BaseURL's"},
		{"absolute other scheme", "https://h", "http://h/x", nil, "", "host other than BaseURL's"},
		{"absolute other port", "https://h", "https://h:8443/x", nil, "", "host other than BaseURL's"},
		{"protocol relative", "https://h", "//evil.example/x", nil, "", "host other than BaseURL's"},
		{"dot segment", "https://h/e/abc", "/../../admin", nil, "", "dot segment"},
		{"encoded dot segment", "https://h/e/abc", "/%2e%2e/admin", nil, "", "dot segment"},
		{"bad base", "ftp://h", "/x", nil, "", "invalid BaseURL"},
		{"empty base", "", "/x", nil, "", "invalid BaseURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := New(Options{Source: "s", BaseURL: tt.base}).URL(tt.path, tt.query)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("URL() = %q, %v; want error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("URL() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestURLOtherOriginIsTyped(t *testing.T) {
	_, err := New(Options{BaseURL: "https://h"}).URL("https://x/y", nil)
	if !errors.Is(err, errOtherOrigin) {
		t.Fatalf("err = %v, want errOtherOrigin", err)
	}
}

func TestRedactURL(t *testing.T) {
	c := New(Options{BaseURL: "https://h", Secrets: []string{"s3cr3t/v@l"}})
	tests := []struct{ in, want string }{
		{"https://h/x?token=abc&q=1", "https://h/x?token=[REDACTED]&q=1"},
		{"https://h/x?api_key=abc&API-KEY=d&password=p&client_secret=s&key=k", "https://h/x?api_key=[REDACTED]&API-KEY=[REDACTED]&password=[REDACTED]&client_secret=[REDACTED]&key=[REDACTED]"},
		{"https://h/x?nextPageKey=AQ&sysparm_query=a", "https://h/x?nextPageKey=AQ&sysparm_query=a"},
		{"https://u:pw@h/x", "https://u:xxxxx@h/x"},
		{"https://h/x?q=" + url.QueryEscape("s3cr3t/v@l"), "https://h/x?q=[REDACTED]"},
		{"https://h/hb/" + url.PathEscape("s3cr3t/v@l"), "https://h/hb/[REDACTED]"},
		{"https://h/x#token=abc", "https://h/x"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.redactURL(u); got != tt.want {
			t.Errorf("redactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

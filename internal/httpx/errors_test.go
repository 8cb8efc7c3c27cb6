package httpx

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestVendorMessage(t *testing.T) {
	sec := newSecrets("tok-123456")
	tests := []struct{ name, body, want string }{
		{"pagerduty", `{"error":{"code":2001,"message":"Invalid Input Provided","errors":["Offset must be less than 10000."]}}`, "Invalid Input Provided (Offset must be less than 10000.)"},
		{"pagerduty 401", `{"error":{"message":"Invalid token tok-123456","code":2006}}`, "Invalid token [REDACTED]"},
		{"servicenow", `{"error":{"message":"No Record found","detail":"Record doesn't exist or ACL restricts the record retrieval"},"status":"failure"}`, "No Record found: Record doesn't exist or ACL restricts the record retrieval"},
		{"dynatrace", `{"error":{"code":400,"message":"Constraints violated.","constraintViolations":[{"path":"pageSize","message":"must be less than or equal to 500","parameterLocation":"QUERY"}]}}`, "Constraints violated. (pageSize: must be less than or equal to 500)"},
		{"backstage", `{"error":{"name":"NotFoundError","message":"No entity named 'x' found"},"request":{"method":"GET"},"response":{"statusCode":404}}`, "No entity named 'x' found"},
		{"opsgenie", `{"message":"Could not authenticate","took":0.001,"requestId":"abc"}`, "Could not authenticate"},
		{"prometheus", `{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:1: parse error"}`, `bad_data: invalid parameter "query": 1:1: parse error`},
		{"error string", `{"error":"unauthorized"}`, "unauthorized"},
		{"problem json", `{"title":"Bad Request","detail":"limit too large"}`, "Bad Request: limit too large"},
		{"jsm operations", `{"errors":[{"title":"Forbidden","detail":"You are not authorized","code":403},{"title":"Also"}]}`, "Forbidden: You are not authorized; Also"},
		{"jira", `{"errorMessages":["You do not have the permission to browse users."],"errors":{}}`, "You do not have the permission to browse users."},
		{"plain text", "upstream connect error\n  or disconnect", "upstream connect error or disconnect"},
		{"json without message", `{"foo":1}`, `{"foo":1}`},
		{"empty", "", ""},
		{"long text cut", strings.Repeat("x", 500), strings.Repeat("x", snippetLen) + "…"},
		{"secret straddling cut is masked", strings.Repeat("x", snippetLen-3) + "tok-123456", strings.Repeat("x", snippetLen-3) + "[RE…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sec.vendorMessage([]byte(tt.body)); got != tt.want {
				t.Fatalf("vendorMessage = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStatusErrorError(t *testing.T) {
	tests := []struct {
		err  *StatusError
		want string
	}{
		{&StatusError{Source: "pagerduty", Method: "GET", Status: 401, Message: "Invalid token", URL: "https://api.pagerduty.com/incidents"},
			"pagerduty: HTTP 401 Unauthorized: Invalid token (GET https://api.pagerduty.com/incidents)"},
		{&StatusError{Source: "opsgenie", Method: "GET", Status: 429, RetryAfter: 60 * time.Second, URL: "https://api.opsgenie.com/v2/alerts"},
			"opsgenie: HTTP 429 Too Many Requests (retry after 1m0s) (GET https://api.opsgenie.com/v2/alerts)"},
		{&StatusError{Source: "x", Status: 599}, "x: HTTP 599"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestStatusOf(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("boom"), 0},
		{&StatusError{Status: 404}, 404},
		{fmt.Errorf("wrapped: %w", &StatusError{Status: 503}), 503},
	}
	for _, tt := range tests {
		if got := StatusOf(tt.err); got != tt.want {
			t.Errorf("StatusOf(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestBodyTooLargeErrorMessage(t *testing.T) {
	tests := []struct {
		limit int64
		want  string
	}{
		{32 << 20, "d: response body exceeds the 32 MiB limit (MaxBodyBytes) (GET https://h/x)"},
		{1000, "d: response body exceeds the 1000 bytes limit (MaxBodyBytes) (GET https://h/x)"},
	}
	for _, tt := range tests {
		e := &BodyTooLargeError{Source: "d", Method: "GET", URL: "https://h/x", Limit: tt.limit}
		if got := e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// StatusError is returned for a non-2xx response (after any retries).
// All string fields are already redacted.
type StatusError struct {
	Source string
	Method string
	Status int
	// Message is the vendor error message extracted from a JSON body, or
	// else a short body snippet.
	Message string
	// RetryAfter is the server-requested wait on 429/503 (0 if none).
	RetryAfter time.Duration
	// URL is the redacted request URL.
	URL string
}

// Error renders e.g. "pagerduty: HTTP 401 Unauthorized: Invalid token (GET https://api.pagerduty.com/incidents)".
func (e *StatusError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: HTTP %d", e.Source, e.Status)
	if t := http.StatusText(e.Status); t != "" {
		b.WriteString(" " + t)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter.Round(100*time.Millisecond))
	}
	if e.URL != "" {
		fmt.Fprintf(&b, " (%s %s)", e.Method, e.URL)
	}
	return b.String()
}

// StatusOf returns the HTTP status of a *StatusError in err's chain, or 0.
func StatusOf(err error) int {
	if se := (*StatusError)(nil); errors.As(err, &se) {
		return se.Status
	}
	return 0
}

// BodyTooLargeError is returned when a response body exceeds Options.MaxBodyBytes.
type BodyTooLargeError struct {
	Source string
	Method string
	URL    string // redacted
	Limit  int64
}

// Error renders e.g. "dynatrace: response body exceeds the 32 MiB limit (GET https://...)".
func (e *BodyTooLargeError) Error() string {
	limit := fmt.Sprintf("%d bytes", e.Limit)
	if e.Limit >= 1<<20 && e.Limit%(1<<20) == 0 {
		limit = fmt.Sprintf("%d MiB", e.Limit>>20)
	}
	return fmt.Sprintf("%s: response body exceeds the %s limit (MaxBodyBytes) (%s %s)", e.Source, limit, e.Method, e.URL)
}

// messageLen caps an extracted vendor message.
const messageLen = 300

// vendorMessage extracts a redacted error message from a response body:
// {"error":{"message","detail","errors","constraintViolations"}} (PagerDuty,
// ServiceNow, Dynatrace, Backstage), {"message"} (Opsgenie), {"errorType","error"}
// (Prometheus), {"error":"..."}, {"title","detail"} (RFC 9457), {"errors":[{"title","detail"}]}
// (JSM Operations), {"errorMessages":[...]} (Jira); else a body snippet.
func (sec secrets) vendorMessage(body []byte) string {
	var m map[string]any
	if json.Unmarshal(body, &m) == nil {
		if msg := messageFrom(m); msg != "" {
			return truncate(strings.Join(strings.Fields(sec.mask(msg)), " "), messageLen)
		}
	}
	return sec.snippet(body, snippetLen)
}

func messageFrom(m map[string]any) string {
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return strings.TrimSpace(s) }
	switch e := m["error"].(type) {
	case string:
		if t := str(m, "errorType"); t != "" && e != "" {
			return t + ": " + e
		}
		if e != "" {
			return e
		}
	case map[string]any:
		msg := joinNonEmpty(": ", str(e, "message"), str(e, "detail"))
		var details []string
		if errs, ok := e["errors"].([]any); ok {
			for _, x := range errs {
				if s, ok := x.(string); ok && s != "" {
					details = append(details, s)
				}
			}
		}
		if cvs, ok := e["constraintViolations"].([]any); ok {
			for _, x := range cvs {
				if cv, ok := x.(map[string]any); ok {
					if s := joinNonEmpty(": ", str(cv, "path"), str(cv, "message")); s != "" {
						details = append(details, s)
					}
				}
			}
		}
		if len(details) > 0 {
			msg = joinNonEmpty(" ", msg, "("+strings.Join(details, "; ")+")")
		}
		if msg != "" {
			return msg
		}
	}
	if s := str(m, "message"); s != "" {
		return s
	}
	var list []string
	if errs, ok := m["errors"].([]any); ok {
		for _, x := range errs {
			if e, ok := x.(map[string]any); ok {
				list = append(list, joinNonEmpty(": ", str(e, "title"), str(e, "detail")))
			}
		}
	}
	if msgs, ok := m["errorMessages"].([]any); ok {
		for _, x := range msgs {
			if s, ok := x.(string); ok {
				list = append(list, strings.TrimSpace(s))
			}
		}
	}
	if s := joinNonEmpty("; ", list...); s != "" {
		return s
	}
	return joinNonEmpty(": ", str(m, "title"), str(m, "detail"))
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// chainError is a message made fit to show that stands for err, keeping err's chain for
// errors.Is and errors.As (a timeout stays a context.DeadlineExceeded).
type chainError struct {
	msg string
	err error
}

func (e *chainError) Error() string { return e.msg }
func (e *chainError) Unwrap() error { return e.err }

// Package httpx is the one HTTP client factory every opsctx connector uses.
//
// A Client wraps go-retryablehttp with the policies shared by all upstream
// APIs: a per-call time budget that covers retries, deadline-aware backoff that
// honours vendor rate-limit headers, a response body cap, same-origin URL
// resolution (credentials are never sent to another host), vendor error
// message extraction, per-attempt metrics and debug logs, and redaction of
// secrets in every log line and returned error.
package httpx

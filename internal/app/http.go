package app

import (
	"net/http"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/httpx"
)

// httpClient builds the source's HTTP client: the one factory, with the source's timeout,
// every configured secret for redaction, and the shared logger.
func httpClient(cfg *config.Config, o Options, source, baseURL string, auth func(*http.Request), header http.Header) *httpx.Client {
	return httpx.New(httpx.Options{
		Source:  source,
		BaseURL: baseURL,
		Timeout: cfg.TimeoutFor(source),
		Auth:    auth,
		Header:  header,
		Secrets: cfg.Secrets(),
		Logger:  o.Logger,
	})
}

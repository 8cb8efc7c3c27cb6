package app

import (
	"net/http"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/httpx"
)

// httpClient builds a source instance's HTTP client (source is its name in answers): the
// one factory, with the instance's timeout,
// every configured secret for redaction, and the shared logger.
func httpClient(cfg *config.Config, o Options, source, baseURL string, auth func(*http.Request), header http.Header) *httpx.Client {
	h := clientOptions(cfg, o, source, baseURL)
	h.Auth, h.Header = auth, header
	return newClient(o, h)
}

// newClient builds the client of h. One that signs in with OAuth keeps its access token
// between processes beside the snapshot (sealed under a key derived from its client secret
// and password), unless there is no snapshot or o.SignInAfresh.
func newClient(o Options, h httpx.Options) *httpx.Client {
	if h.OAuth != nil && o.snap != nil && !o.SignInAfresh {
		if f := o.snap.Token(h.Source, h.OAuth.ClientSecret, h.OAuth.Password); f != nil {
			oa := *h.OAuth
			oa.Keep = f
			h.OAuth = &oa
		}
	}
	return httpx.New(h)
}

// clientOptions are the options every source's client shares; a wiring that needs more (OAuth)
// adds them before newClient.
func clientOptions(cfg *config.Config, o Options, source, baseURL string) httpx.Options {
	return httpx.Options{
		Source:  source,
		BaseURL: baseURL,
		Timeout: cfg.TimeoutFor(source),
		Secrets: cfg.Secrets(),
		Logger:  o.Logger,
		// 429 cool-downs held for, and learnt from, the other replicas.
		Cooldowns: sharedCooldowns(o.shared),
	}
}

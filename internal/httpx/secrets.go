package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/opsctx/opsctx/internal/redact"
)

// secrets are values to mask, including their escaped forms, longest first.
type secrets []string

// newSecrets returns each secret plus the forms in which it can appear in a
// URL or a JSON body, longest first.
func newSecrets(list ...string) secrets {
	var out secrets
	add := func(s string) {
		if len(s) >= 4 && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, s := range list {
		add(s)
		add(url.QueryEscape(s))
		add(url.PathEscape(s))
		if b, err := json.Marshal(s); err == nil { // HTML-escaped (<, >, & as \u00XX)
			add(strings.Trim(string(b), `"`))
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if enc.Encode(s) == nil {
			add(strings.Trim(strings.TrimSpace(buf.String()), `"`))
		}
	}
	slices.SortStableFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// urlSecrets returns the values of u that are credentials by position:
// the userinfo password and the values of sensitive query keys.
func urlSecrets(u *url.URL) []string {
	var out []string
	if p, ok := u.User.Password(); ok {
		out = append(out, p)
	}
	for k, vs := range u.Query() {
		if sensitiveKey(k) {
			out = append(out, vs...)
		}
	}
	return out
}

// credentialHeaders carry credentials whatever Auth put in them.
var credentialHeaders = []string{"Authorization", "Proxy-Authorization", "X-Api-Key", "Api-Key"}

// headerSecrets returns the credentials a request sends in its headers, so an upstream that
// echoes them back (as a basic-auth or token value) cannot leak them: the whole value and
// the part after the scheme ("Basic b3Bz…", "Token token=…", "GenieKey …").
func headerSecrets(h http.Header) []string {
	var out []string
	for _, k := range credentialHeaders {
		for _, v := range h.Values(k) {
			out = append(out, v)
			if _, cred, ok := strings.Cut(v, " "); ok {
				out = append(out, cred, strings.TrimPrefix(cred, "token="))
			}
		}
	}
	return out
}

// mask masks the secrets in s.
func (sec secrets) mask(s string) string { return redact.String(s, sec...) }

// maskErr masks the secrets in err's message.
func (sec secrets) maskErr(err error) error { return redact.Error(err, sec...) }

// errText is err's message without the raw request URL that *url.Error adds.
func errText(err error) string {
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// snippetLen is the maximum length of a body excerpt in an error.
const snippetLen = 200

// snippet returns a redacted, whitespace-collapsed excerpt of b of at most
// about n bytes. Redaction happens before cutting so no secret prefix leaks.
func (sec secrets) snippet(b []byte, n int) string {
	if len(b) > 8<<10 {
		b = b[:8<<10]
	}
	s := strings.Join(strings.Fields(sec.mask(strings.ToValidUTF8(string(b), "?"))), " ")
	return truncate(s, n)
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

package httpx

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/opsctx/opsctx/internal/redact"
)

// errOtherOrigin marks a URL or redirect outside BaseURL's scheme and host.
var errOtherOrigin = errors.New("refusing to send request to a host other than BaseURL's")

// URL resolves path against BaseURL and adds query. A relative path (with an
// optional "?query") is appended to BaseURL's path prefix. An absolute URL,
// such as a Link rel=next or paging.next value, is used as is, but only when
// it has BaseURL's scheme and host: credentials are never sent elsewhere.
func (c *Client) URL(path string, query url.Values) (string, error) {
	u, err := c.resolve(path, query)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

func (c *Client) resolve(path string, query url.Values) (*url.URL, error) {
	if c.baseErr != nil {
		return nil, c.baseErr
	}
	ref, err := url.Parse(path)
	if err != nil {
		return nil, c.sec.maskErr(fmt.Errorf("%s: invalid request path: %s", c.src, errText(err)))
	}
	var u url.URL
	if ref.Scheme != "" || ref.Host != "" {
		if !sameOrigin(ref, c.base) {
			return nil, c.sec.maskErr(fmt.Errorf("%s: %w (%s is not on %s://%s)",
				c.src, errOtherOrigin, c.redactURL(ref), c.base.Scheme, c.base.Host))
		}
		u = *ref
	} else {
		u = *c.base
		full := strings.TrimSuffix(c.base.EscapedPath(), "/")
		if rp := ref.EscapedPath(); rp != "" {
			full += "/" + strings.TrimPrefix(rp, "/")
		}
		if u.Path, err = url.PathUnescape(full); err != nil {
			return nil, c.sec.maskErr(fmt.Errorf("%s: invalid request path: %w", c.src, err))
		}
		u.RawPath = full
		u.RawQuery = joinQuery(c.base.RawQuery, ref.RawQuery)
	}
	u.Fragment, u.RawFragment = "", ""
	for seg := range strings.SplitSeq(u.Path, "/") {
		if seg == "." || seg == ".." {
			return nil, c.sec.maskErr(fmt.Errorf("%s: refusing request path with dot segment: %s", c.src, c.redactURL(&u)))
		}
	}
	if len(query) > 0 {
		q := u.Query()
		for k, vs := range query {
			for _, v := range vs {
				q.Add(k, v)
			}
		}
		u.RawQuery = q.Encode()
	}
	return &u, nil
}

func joinQuery(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "&" + b
}

// sameOrigin reports whether u has base's scheme, host and (default-aware) port.
func sameOrigin(u, base *url.URL) bool {
	return strings.EqualFold(u.Scheme, base.Scheme) && hostPort(u) == hostPort(base)
}

func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// maxQueryShown caps the query string shown in errors and logs.
const maxQueryShown = 120

// redactURL renders u for logs and errors: no fragment, no userinfo password,
// sensitive query values masked, and the client's secrets masked.
func (c *Client) redactURL(u *url.URL) string {
	cp := *u
	cp.Fragment, cp.RawFragment = "", ""
	if cp.RawQuery != "" {
		parts := strings.Split(cp.RawQuery, "&")
		for i, p := range parts {
			k, _, hasVal := strings.Cut(p, "=")
			if uk, err := url.QueryUnescape(k); err == nil && hasVal && sensitiveKey(uk) {
				parts[i] = k + "=" + redact.Mask
			}
		}
		cp.RawQuery = strings.Join(parts, "&")
		if len(cp.RawQuery) > maxQueryShown { // keep errors readable: long filters say little
			cp.RawQuery = cp.RawQuery[:maxQueryShown] + "…"
		}
	}
	return c.sec.mask(cp.Redacted())
}

// sensitiveKey reports whether a query parameter name looks like it carries a credential.
func sensitiveKey(k string) bool {
	k = strings.TrimSuffix(strings.ToLower(k), "[]")
	switch k {
	case "key", "sig", "signature", "auth", "authorization", "pass", "pwd", "code":
		return true
	}
	for _, s := range []string{"token", "secret", "password", "passwd", "apikey", "api_key", "api-key", "credential", "session"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

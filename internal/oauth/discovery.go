package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/opsctx/opsctx/internal/loopback"
)

// maxDocumentBytes caps a discovery document.
const maxDocumentBytes = 1 << 20

// metadata is the part of an authorization server's metadata (RFC 8414) or OpenID
// Provider configuration that a resource server needs.
type metadata struct {
	Issuer  string `json:"issuer"`
	JWKSURI string `json:"jwks_uri"`
}

// discoveryURLs lists where an issuer publishes its metadata, in the order the MCP
// authorization specification asks clients to try them: RFC 8414 (path inserted after the
// well-known segment), OpenID Connect Discovery with the path inserted, and OpenID Connect
// Discovery with the path appended.
func discoveryURLs(issuer *url.URL) []string {
	base := issuer.Scheme + "://" + issuer.Host
	p := strings.TrimSuffix(issuer.EscapedPath(), "/")
	if p == "" {
		return []string{base + "/.well-known/oauth-authorization-server", base + "/.well-known/openid-configuration"}
	}
	return []string{
		base + "/.well-known/oauth-authorization-server" + p,
		base + "/.well-known/openid-configuration" + p,
		base + p + "/.well-known/openid-configuration",
	}
}

// discover fetches the issuer's metadata and returns its JWKS URL. The document must name
// exactly this issuer (RFC 8414 §3.3), and the JWKS URL must be https (or loopback http
// when the issuer is, for tests).
func discover(ctx context.Context, client *http.Client, issuer *url.URL) (string, error) {
	var errs []error
	for _, u := range discoveryURLs(issuer) {
		md, err := fetchMetadata(ctx, client, u)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if md.Issuer != issuer.String() {
			return "", fmt.Errorf("%s names issuer %q, not %q: set the issuer exactly as the authorization server spells it", u, md.Issuer, issuer)
		}
		jwks, err := url.Parse(md.JWKSURI)
		if err != nil || md.JWKSURI == "" || jwks.Host == "" {
			return "", fmt.Errorf("%s has no usable jwks_uri", u)
		}
		if err := CheckURL(jwks); err != nil {
			return "", fmt.Errorf("%s: jwks_uri: %w", u, err)
		}
		return md.JWKSURI, nil
	}
	return "", fmt.Errorf("no discovery document for issuer %s: %w", issuer, errors.Join(errs...))
}

func fetchMetadata(ctx context.Context, client *http.Client, u string) (*metadata, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDocumentBytes))
		return nil, fmt.Errorf("%s: HTTP %d", u, resp.StatusCode)
	}
	var md metadata
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxDocumentBytes)).Decode(&md); err != nil {
		return nil, fmt.Errorf("%s: %w", u, err)
	}
	return &md, nil
}

// CheckURL accepts https URLs, and http URLs whose host is loopback (a test issuer).
func CheckURL(u *url.URL) error {
	switch {
	case u.Scheme == "https" && u.Host != "":
		return nil
	case u.Scheme == "http" && loopback.Host(u.Hostname()):
		return nil
	case u.Scheme == "http":
		return errors.New("must use https:// (http:// only on a loopback address, for tests)")
	}
	return errors.New("must be an absolute https:// URL")
}

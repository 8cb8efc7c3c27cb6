package oauth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"go.uber.org/goleak"

	"github.com/opsctx/opsctx/internal/fake/issuer"
	"github.com/opsctx/opsctx/internal/oauth"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const audience = "https://opsctx.example.com/mcp"

func newVerifier(t *testing.T, is *issuer.Issuer, o oauth.Options) *oauth.Verifier {
	t.Helper()
	o.Issuer, o.Audience = is.ID, audience
	v, err := oauth.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Close)
	return v
}

func TestVerify(t *testing.T) {
	is := issuer.Start(issuer.Options{})
	defer is.Close()
	v := newVerifier(t, is, oauth.Options{Scope: "opsctx.read", RefetchEvery: time.Hour})
	claims := func(edit func(jwt.MapClaims)) string {
		c := is.Claims(audience)
		c["scope"] = "openid opsctx.read"
		edit(c)
		return is.Token(c)
	}
	stranger := issuer.NewKey()
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, is.Claims(audience)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	valid := claims(func(jwt.MapClaims) {})
	parts := strings.Split(valid, ".")
	tampered := parts[0] + "." + parts[1] + "." + strings.Map(func(r rune) rune {
		if r == 'A' {
			return 'B'
		}
		return 'A'
	}, parts[2])
	tests := []struct {
		name, token, reason string
		scope               bool // refused for its scope (403), not as a bad token
	}{
		{"valid", valid, "", false},
		{"scp list instead of scope", claims(func(c jwt.MapClaims) { delete(c, "scope"); c["scp"] = []string{"opsctx.read"} }), "", false},
		{"wrong aud", claims(func(c jwt.MapClaims) { c["aud"] = "https://other.example.com/mcp" }), "aud", false},
		{"aud list naming us", claims(func(c jwt.MapClaims) { c["aud"] = []string{"https://other.example.com", audience} }), "", false},
		{"no aud", claims(func(c jwt.MapClaims) { delete(c, "aud") }), "required claim", false},
		{"expired", claims(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-2 * time.Minute).Unix() }), "expired", false},
		{"expired within leeway", claims(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-5 * time.Second).Unix() }), "", false},
		{"no exp", claims(func(c jwt.MapClaims) { delete(c, "exp") }), "required claim", false},
		{"not yet valid", claims(func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(5 * time.Minute).Unix() }), "not valid yet", false},
		{"wrong issuer", claims(func(c jwt.MapClaims) { c["iss"] = "https://evil.example.com" }), "another issuer", false},
		{"alg none", none, "algorithm", false},
		{"unknown key", issuer.Sign(stranger, is.Claims(audience)), "unknown key", false},
		{"tampered signature", tampered, "signature", false},
		{"garbage", "not-a-jwt", "malformed", false},
		{"missing scope", claims(func(c jwt.MapClaims) { c["scope"] = "openid" }), "", true},
	}
	for _, tt := range tests {
		c, err := v.Verify(context.Background(), tt.token)
		var te *oauth.TokenError
		var se *oauth.ScopeError
		switch {
		case tt.scope:
			if !errors.As(err, &se) {
				t.Errorf("%s: err = %v, want a scope error", tt.name, err)
			}
		case tt.reason == "":
			if err != nil || c.Subject != "alice@example.com" || c.ClientID != "desktop-client" {
				t.Errorf("%s: caller %+v, err %v", tt.name, c, err)
			}
		case !errors.As(err, &te) || !strings.Contains(te.Reason, tt.reason):
			t.Errorf("%s: err = %v, want a token error about %q", tt.name, err, tt.reason)
		}
	}
}

// TestKeyRotation: a token signed with a key the issuer published after the verifier read
// the key set is accepted without a restart; unknown key ids refetch the set at most once
// per RefetchEvery.
func TestKeyRotation(t *testing.T) {
	is := issuer.Start(issuer.Options{})
	defer is.Close()
	v := newVerifier(t, is, oauth.Options{RefetchEvery: time.Hour})
	if _, err := v.Verify(context.Background(), is.Token(is.Claims(audience))); err != nil {
		t.Fatal(err)
	}
	before := is.KeyFetches()
	is.Rotate()
	c, err := v.Verify(context.Background(), is.Token(is.Claims(audience)))
	if err != nil || c.Subject == "" {
		t.Fatalf("token with the rotated key: %v", err)
	}
	if got := is.KeyFetches() - before; got != 1 {
		t.Errorf("rotation fetched the key set %d times, want 1", got)
	}
	for range 20 {
		if _, err := v.Verify(context.Background(), issuer.Sign(issuer.NewKey(), is.Claims(audience))); err == nil {
			t.Fatal("a token from an unpublished key was accepted")
		}
	}
	if got := is.KeyFetches() - before; got != 1 {
		t.Errorf("20 unknown key ids fetched the key set %d more times, want 0 (rate-limited)", got-1)
	}
}

func TestDiscoveryVariants(t *testing.T) {
	for _, o := range []issuer.Options{{}, {RFC8414: true}, {Path: "/realms/ops"}, {Path: "/realms/ops", RFC8414: true}} {
		is := issuer.Start(o)
		v := newVerifier(t, is, oauth.Options{})
		if err := v.Discover(context.Background()); err != nil {
			t.Errorf("%+v: %v", o, err)
		} else if _, err := v.Verify(context.Background(), is.Token(is.Claims(audience))); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
		is.Close()
	}
}

func TestUnavailableIssuer(t *testing.T) {
	is := issuer.Start(issuer.Options{})
	token := is.Token(is.Claims(audience))
	v := newVerifier(t, is, oauth.Options{})
	is.Close()
	if _, err := v.Verify(context.Background(), token); !errors.Is(err, oauth.ErrUnavailable) {
		t.Errorf("err = %v, want ErrUnavailable", err)
	}
}

func TestNewRefusesUnsafeSettings(t *testing.T) {
	tests := []struct {
		o    oauth.Options
		want string
	}{
		{oauth.Options{Issuer: "http://idp.example.com", Audience: audience}, "https"},
		{oauth.Options{Issuer: "https://idp.example.com"}, "audience"},
		{oauth.Options{Issuer: "https://idp.example.com", Audience: "api://opsctx"}, "resource"},
		{oauth.Options{Issuer: "idp.example.com", Audience: audience}, "https"},
	}
	for _, tt := range tests {
		if _, err := oauth.New(tt.o); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%+v) = %v, want an error about %s", tt.o, err, tt.want)
		}
	}
	v, err := oauth.New(oauth.Options{Issuer: "http://127.0.0.1:1", Audience: "api://opsctx", Resource: audience})
	if err != nil {
		t.Errorf("loopback http issuer with a separate resource: %v", err)
	} else {
		v.Close()
	}
}

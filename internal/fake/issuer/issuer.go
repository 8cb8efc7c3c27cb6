// Package issuer is a fake OAuth 2.0 authorization server on 127.0.0.1 for the sign-in
// tests: it publishes its metadata (OpenID Connect Discovery, or RFC 8414 when asked) and
// its JSON Web Key Set, and signs access tokens (ES256) with a current key that can be
// rotated.
package issuer

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"

	"github.com/opsctx/opsctx/internal/fake"
)

// JWKSPath is where the key set is served.
const JWKSPath = "/keys"

// Options shape the fake.
type Options struct {
	// Path is the issuer's path (e.g. /realms/ops), "" for none.
	Path string
	// RFC8414 publishes /.well-known/oauth-authorization-server instead of
	// /.well-known/openid-configuration.
	RFC8414 bool
}

// Key is a signing key with its key id.
type Key struct {
	ID      string
	private *ecdsa.PrivateKey
}

// Issuer is the running fake.
type Issuer struct {
	*fake.Server
	// ID is the issuer identifier (iss), the server URL plus Options.Path.
	ID string

	mu        sync.Mutex
	current   Key
	published []Key
}

// Start starts an issuer with one published key.
func Start(o Options) *Issuer {
	is := &Issuer{}
	is.current = NewKey()
	is.published = []Key{is.current}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+JWKSPath, is.serveKeys)
	is.Server = fake.Start("issuer", nil, nil, mux)
	is.ID = is.URL + o.Path
	doc := "/.well-known/openid-configuration"
	if o.RFC8414 {
		doc = "/.well-known/oauth-authorization-server"
	}
	if o.Path != "" && o.RFC8414 {
		doc += o.Path // RFC 8414 §3.1: inserted after the well-known segment
	} else {
		doc = o.Path + doc
	}
	mux.HandleFunc("GET "+doc, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                is.ID,
			"jwks_uri":                              is.URL + JWKSPath,
			"authorization_endpoint":                is.ID + "/authorize",
			"token_endpoint":                        is.ID + "/token",
			"response_types_supported":              []string{"code"},
			"code_challenge_methods_supported":      []string{"S256"},
			"id_token_signing_alg_values_supported": []string{"ES256"},
		})
	})
	return is
}

// NewKey returns a fresh P-256 key with a random key id; it is not published.
func NewKey() Key {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	return Key{ID: fmt.Sprintf("k-%x", id), private: k}
}

// Rotate publishes a new key, signs with it from now on, and drops the old ones.
func (is *Issuer) Rotate() Key {
	k := NewKey()
	is.mu.Lock()
	defer is.mu.Unlock()
	is.current, is.published = k, []Key{k}
	return k
}

// Claims returns valid claims for a token meant for audience: iss, sub, aud, client_id,
// iat, nbf and exp (in 10 minutes).
func (is *Issuer) Claims(audience string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss": is.ID, "sub": "alice@example.com", "aud": audience, "client_id": "desktop-client",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
	}
}

// Token signs claims with the current key.
func (is *Issuer) Token(claims jwt.MapClaims) string {
	is.mu.Lock()
	k := is.current
	is.mu.Unlock()
	return Sign(k, claims)
}

// Sign signs claims with k (ES256, kid in the header).
func Sign(k Key, claims jwt.MapClaims) string {
	t := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	t.Header["kid"] = k.ID
	s, err := t.SignedString(k.private)
	if err != nil {
		panic(err)
	}
	return s
}

// KeyFetches counts requests for the key set.
func (is *Issuer) KeyFetches() int { return is.Count(JWKSPath) }

func (is *Issuer) serveKeys(w http.ResponseWriter, _ *http.Request) {
	is.mu.Lock()
	keys := is.published
	is.mu.Unlock()
	var set jwkset.JWKSMarshal
	for _, k := range keys {
		jwk, err := jwkset.NewJWKFromKey(&k.private.PublicKey, jwkset.JWKOptions{
			Metadata: jwkset.JWKMetadataOptions{KID: k.ID, ALG: jwkset.AlgES256, USE: jwkset.UseSig}})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		set.Keys = append(set.Keys, jwk.Marshal())
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	_ = json.NewEncoder(w).Encode(set)
}

package snapshot

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// tokenInfo is the HKDF context of a token file's key: another use of the same credential
// never derives the same key.
const tokenInfo = "opsctx oauth access token v1"

// TokenFile keeps one source's OAuth access token between processes, so that a fresh
// process (a CLI run, an IDE session's stdio server) does not sign in before its first
// answer. The file (<source>-<key>.token beside the snapshot, mode 0600, written
// atomically) holds the token, its type and its times sealed with AES-256-GCM under a key
// derived by HKDF-SHA256 from the credential that minted it, salted with the source's
// settings key; the key is never written. A file that does not open — the credential
// rotated, written for other settings, corrupt — or whose token has expired is ignored with
// one debug log. Never the refresh token: a fresh process that cannot use the access token
// signs in. It is httpx.TokenKeeper.
type TokenFile struct {
	s      *Store
	source string
	path   string
	aead   cipher.AEAD
	aad    []byte // binds the sealed token to the source and its settings
}

// sealed is the on-disk form of a token file.
type sealed struct {
	Version int    `json:"version"`
	Nonce   []byte `json:"nonce"`
	Sealed  []byte `json:"sealed"`
}

// keptToken is what a token file seals.
type keptToken struct {
	AccessToken string    `json:"access_token"`
	TokenType   string    `json:"token_type,omitempty"`
	Issued      time.Time `json:"issued"`
	Expiry      time.Time `json:"expiry"`
}

// Token returns the file that keeps source's OAuth access token, sealed under a key derived
// from credential (what minted the token: the client secret, and the password for the
// password grant); nil when the source has no key or the credential is empty.
func (s *Store) Token(source string, credential ...string) *TokenFile {
	p, secret := s.path(source, ".token"), strings.Join(credential, "\x00")
	if p == "" || strings.Trim(secret, "\x00") == "" {
		return nil
	}
	key := s.o.Keys[source]
	k, err := hkdf.Key(sha256.New, []byte(secret), []byte(key), tokenInfo, 32)
	if err != nil {
		return nil
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil
	}
	return &TokenFile{s: s, source: source, path: p, aead: aead, aad: []byte(tokenInfo + "\x00" + source + "\x00" + key)}
}

// Path returns the token file.
func (t *TokenFile) Path() string { return t.path }

// Load returns the kept token and when it was issued; ok is false when there is no file, or
// it does not open, or the token has expired (logged at debug level).
func (t *TokenFile) Load() (tok *oauth2.Token, issued time.Time, ok bool) {
	k, err := t.open()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, time.Time{}, false
	case err != nil:
		t.s.o.Logger.Debug("kept OAuth token ignored: it does not open (credential rotated, other settings, or corrupt)",
			"source", t.source, "file", t.path)
		return nil, time.Time{}, false
	case !t.s.o.Now().Before(k.Expiry):
		t.s.o.Logger.Debug("kept OAuth token ignored: expired", "source", t.source, "expiry", k.Expiry)
		return nil, time.Time{}, false
	}
	return &oauth2.Token{AccessToken: k.AccessToken, TokenType: k.TokenType, Expiry: k.Expiry}, k.Issued, true
}

// Save keeps tok, issued at issued, replacing the kept one; a token without an expiry is
// not kept. A failure is logged: the next process signs in.
func (t *TokenFile) Save(tok *oauth2.Token, issued time.Time) {
	if tok == nil || tok.AccessToken == "" || tok.Expiry.IsZero() {
		return
	}
	plain, err := json.Marshal(keptToken{AccessToken: tok.AccessToken, TokenType: tok.TokenType, Issued: issued.UTC(), Expiry: tok.Expiry.UTC()})
	if err != nil {
		return
	}
	nonce := make([]byte, t.aead.NonceSize())
	_, _ = rand.Read(nonce) // never fails (crypto/rand)
	b, err := json.Marshal(sealed{Version: Version, Nonce: nonce, Sealed: t.aead.Seal(nil, nonce, plain, t.aad)})
	if err == nil {
		err = t.s.write(t.path, b)
	}
	if err != nil {
		t.s.o.Logger.Warn("OAuth token not kept", "source", t.source, "err", err)
	}
}

// Discard removes the kept token if it is tok (the upstream refused it); a token another
// process kept since is left.
func (t *TokenFile) Discard(tok *oauth2.Token) {
	if k, err := t.open(); err == nil && tok != nil && k.AccessToken == tok.AccessToken {
		_ = os.Remove(t.path)
	}
}

// open reads and unseals the file.
func (t *TokenFile) open() (keptToken, error) {
	var (
		f sealed
		k keptToken
	)
	b, err := os.ReadFile(t.path)
	if err != nil {
		return k, err
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return k, err
	}
	if f.Version != Version || len(f.Nonce) != t.aead.NonceSize() {
		return k, errors.New("another version")
	}
	plain, err := t.aead.Open(nil, f.Nonce, f.Sealed, t.aad)
	if err != nil {
		return k, err
	}
	return k, json.Unmarshal(plain, &k)
}

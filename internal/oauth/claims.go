package oauth

import (
	"encoding/json"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// claims are the access-token claims opsctx reads (RFC 9068 names, and the names common
// identity providers use instead).
type claims struct {
	jwt.RegisteredClaims
	Scope           string     `json:"scope,omitempty"`     // RFC 9068: space-separated
	Scp             stringList `json:"scp,omitempty"`       // Okta, Entra ID: list or space-separated
	ClientID        string     `json:"client_id,omitempty"` // RFC 9068
	AuthorizedParty string     `json:"azp,omitempty"`       // OpenID Connect, Keycloak
}

func (c *claims) scopes() []string {
	return append(strings.Fields(c.Scope), c.Scp...)
}

// stringList decodes a JSON list of strings or one space-separated string.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*l = strings.Fields(s)
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	*l = list
	return nil
}

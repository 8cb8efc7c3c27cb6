package opsgenie

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/httpx"
)

var (
	tinyID  = regexp.MustCompile(`^[0-9]+$`)
	alertID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(-[0-9]+)?$`)
)

// IdentifierType says how Opsgenie should read ref: "tiny" for numbers, "id" for alert
// ids (UUID, optionally with a -timestamp suffix), else "alias".
func IdentifierType(ref string) string {
	switch {
	case tinyID.MatchString(ref):
		return "tiny"
	case alertID.MatchString(ref):
		return "id"
	}
	return "alias"
}

// FindIncident looks an alert up by id, tiny id ("1042" or "#1042") or alias: one request.
// Services are the alert's service:<name> tags, then its entity.
func (s *Source) FindIncident(ctx context.Context, ref string) (connectors.IncidentRef, error) {
	r := strings.TrimSpace(ref)
	if t := strings.TrimPrefix(r, "#"); tinyID.MatchString(t) {
		r = t
	}
	if r == "" || r == "." || r == ".." || len(r) > 512 || strings.ContainsAny(r, "/?#") {
		return connectors.IncidentRef{}, connectors.ErrNotFound // not an alert reference
	}
	var a alert
	err := s.get(ctx, "/v2/alerts/"+url.PathEscape(r), url.Values{"identifierType": {IdentifierType(r)}}, &a)
	switch st := httpx.StatusOf(err); {
	case st == http.StatusNotFound || st == http.StatusUnprocessableEntity:
		return connectors.IncidentRef{}, connectors.ErrNotFound
	case err != nil:
		return connectors.IncidentRef{}, err
	case a.ID == "":
		return connectors.IncidentRef{}, connectors.ErrNotFound // an answer without an alert
	}
	ir := connectors.IncidentRef{ID: a.ID, Title: a.Message, Kind: connectors.KindAlert, StartedAt: parseTime(a.CreatedAt),
		Key: a.Alias, Source: SourceName, Roles: map[string]string{}}
	for _, t := range a.Tags {
		if k, v, ok := strings.Cut(t, ":"); ok && strings.EqualFold(k, "service") && v != "" && !slices.Contains(ir.Services, v) {
			ir.Services = append(ir.Services, v)
			ir.Roles[v] = "service tag"
		}
	}
	if a.Entity != "" && !slices.Contains(ir.Services, a.Entity) {
		ir.Services = append(ir.Services, a.Entity)
		ir.Roles[a.Entity] = "entity"
	}
	return ir, nil
}

package jsm

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

// FindIncident looks an alert up by id (GET /v1/alerts/{id}), tiny id ("1042" or "#1042",
// a search for tinyId:<n>) or alias (GET /v1/alerts/alias): one request. Services are the
// alert's service:<name> tags, then its entity.
func (s *Source) FindIncident(ctx context.Context, ref string) (connectors.IncidentRef, error) {
	r := strings.TrimSpace(ref)
	if t := strings.TrimPrefix(r, "#"); tinyID.MatchString(t) {
		r = t
	}
	if r == "" || r == "." || r == ".." || len(r) > 512 || strings.ContainsAny(r, "/?#") {
		return connectors.IncidentRef{}, connectors.ErrNotFound
	}
	cloud, err := s.cloudID(ctx)
	if err != nil {
		return connectors.IncidentRef{}, err
	}
	var a alert
	switch {
	case tinyID.MatchString(r):
		var res struct {
			Values []alert `json:"values"`
		}
		err = s.get(ctx, opsPath(cloud, "/alerts"), url.Values{"query": {"tinyId:" + r}, "size": {"1"}}, &res, scopeAlerts)
		if len(res.Values) > 0 {
			a = res.Values[0]
		}
	case alertID.MatchString(r):
		err = s.get(ctx, opsPath(cloud, "/alerts/"+url.PathEscape(r)), nil, &a, scopeAlerts)
	default:
		err = s.get(ctx, opsPath(cloud, "/alerts/alias"), url.Values{"alias": {r}}, &a, scopeAlerts)
	}
	switch st := httpx.StatusOf(err); {
	case st == http.StatusNotFound || st == http.StatusBadRequest:
		return connectors.IncidentRef{}, connectors.ErrNotFound
	case err != nil:
		return connectors.IncidentRef{}, err
	case a.ID == "":
		return connectors.IncidentRef{}, connectors.ErrNotFound
	}
	ir := connectors.IncidentRef{ID: a.ID, Title: a.Message, Kind: connectors.KindAlert, StartedAt: parseTime(a.CreatedAt),
		Key: a.Alias, Source: SourceName, Services: tagValues(a.Tags, "service"), Roles: map[string]string{}}
	for _, v := range ir.Services {
		ir.Roles[v] = "service tag"
	}
	if a.Entity != "" && !slices.Contains(ir.Services, a.Entity) {
		ir.Services = append(ir.Services, a.Entity)
		ir.Roles[a.Entity] = "entity"
	}
	return ir, nil
}

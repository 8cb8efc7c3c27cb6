// Package backstage reads the Backstage software catalog through its REST API
// (GET {BACKSTAGE_URL}/api/catalog/entities/by-query) and maps the entities with
// internal/catalogmodel, exactly as connectors/catalogfile maps catalog-info.yaml files.
//
// The catalog is read with one filter set per kind (filter=kind=component&filter=kind=resource…):
// sets are ORed, while the conditions of one set are ANDed by the API reference's words (the
// backend reads a key repeated in one set as "any of", a reading the reference does not give).
// Pages follow
// pageInfo.nextCursor: follow-up requests send cursor, limit and fields, never filter (the
// cursor carries it; limit and fields are per request, as in the official client).
package backstage

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/catalogmodel"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
)

// SourceName is the name of this source in answers.
const SourceName = config.SourceBackstage

// Defaults applied by New.
const (
	DefaultPageSize    = 500
	DefaultMaxEntities = 50000
)

// DefaultKinds are the entity kinds read by default.
var DefaultKinds = []string{"component", "resource", "system", "api", "group", "user"}

// entityFields are the entity parts requested (everything ToCatalog reads).
const entityFields = "apiVersion,kind,metadata,spec,relations"

// Options configure a Source.
type Options struct {
	// Name is the source name in answers: SourceName for the unnamed instance (the
	// default), or SourceName/<instance> for a named one (model.SourceName).
	Name string
	// Client is the HTTP client for the backend base URL (e.g. http://localhost:7007),
	// with bearer auth when a token is configured.
	Client *httpx.Client
	// Kinds are the entity kinds read (default DefaultKinds).
	Kinds []string
	// PageSize is the limit of each request (default DefaultPageSize).
	PageSize int
	// MaxEntities caps the entities read (default DefaultMaxEntities); beyond it the catalog
	// is marked truncated.
	MaxEntities int
}

// Source is a Backstage catalog backend. It implements connectors.Catalog.
type Source struct {
	name     string
	c        *httpx.Client
	kinds    []string
	pageSize int
	max      int
}

var _ connectors.Catalog = (*Source)(nil)

// New returns a Source for o, applying defaults.
func New(o Options) *Source {
	if o.Name == "" {
		o.Name = SourceName
	}
	s := &Source{name: o.Name, c: o.Client, kinds: o.Kinds, pageSize: o.PageSize, max: o.MaxEntities}
	if len(s.kinds) == 0 {
		s.kinds = DefaultKinds
	}
	if s.pageSize <= 0 {
		s.pageSize = DefaultPageSize
	}
	if s.max <= 0 {
		s.max = DefaultMaxEntities
	}
	return s
}

// Name returns the source name: "backstage", or "backstage/<instance>".
func (s *Source) Name() string { return s.name }

// Check reads one entity name: it proves the URL, the token and catalog read access.
func (s *Source) Check(ctx context.Context) error {
	_, err := s.c.Get(ctx, "api/catalog/entities/by-query", url.Values{"limit": {"1"}, "fields": {"metadata.name"}})
	return wrap(err)
}

// Catalog reads every entity of the configured kinds and maps them with
// catalogmodel.ToCatalog (source "backstage"). Entities that do not decode are skipped.
func (s *Source) Catalog(ctx context.Context) (model.Catalog, error) {
	entities, truncated, err := s.entities(ctx)
	if err != nil {
		return model.Catalog{}, err
	}
	cat := catalogmodel.ToCatalog(entities, s.name)
	cat.Truncated = truncated
	return cat, nil
}

// entities pages through by-query to the end or to the cap.
func (s *Source) entities(ctx context.Context) ([]catalogmodel.Entity, bool, error) {
	var filter []string
	for _, k := range s.kinds {
		filter = append(filter, "kind="+strings.ToLower(k))
	}
	limit := strconv.Itoa(min(s.pageSize, s.max))
	q := url.Values{"filter": filter, "limit": {limit}, "fields": {entityFields}}
	var out []catalogmodel.Entity
	var guard connectors.Pages
	for {
		var page struct {
			Items      []map[string]any `json:"items"`
			TotalItems int              `json:"totalItems"`
			PageInfo   struct {
				NextCursor string `json:"nextCursor"`
			} `json:"pageInfo"`
		}
		if _, err := s.c.GetJSON(ctx, "api/catalog/entities/by-query", q, &page); err != nil {
			return nil, false, wrap(err)
		}
		for _, it := range page.Items {
			if e, err := catalogmodel.Decode(it); err == nil {
				out = append(out, e)
			}
		}
		next := page.PageInfo.NextCursor
		if len(out) >= s.max {
			return out[:s.max], next != "" || len(out) > s.max, nil
		}
		if next == "" || len(page.Items) == 0 {
			return out, false, nil
		}
		if err := guard.Next("GET /api/catalog/entities/by-query", next); err != nil {
			return nil, false, err
		}
		q = url.Values{"cursor": {next}, "limit": {limit}, "fields": {entityFields}}
	}
}

// Entity returns one entity by ref ("component:default/checkout", "group:team-a", or a
// bare name meaning a Component) from /entities/by-name. A missing entity gives an error
// wrapping connectors.ErrNotFound.
func (s *Source) Entity(ctx context.Context, ref string) (catalogmodel.Entity, error) {
	r, err := catalogmodel.ParseRef(ref, "component")
	if err != nil {
		return catalogmodel.Entity{}, err
	}
	path := "api/catalog/entities/by-name/" + url.PathEscape(strings.ToLower(r.Kind)) + "/" +
		url.PathEscape(r.Namespace) + "/" + url.PathEscape(r.Name)
	var doc map[string]any
	_, err = s.c.GetJSON(ctx, path, nil, &doc)
	if httpx.StatusOf(err) == 404 {
		return catalogmodel.Entity{}, fmt.Errorf("backstage: no entity %s: %w", r, connectors.ErrNotFound)
	}
	if err != nil {
		return catalogmodel.Entity{}, wrap(err)
	}
	return catalogmodel.Decode(doc)
}

// wrap adds what to fix to authentication, authorization and wrong-URL failures.
func wrap(err error) error {
	switch httpx.StatusOf(err) {
	case 401, 403:
		return fmt.Errorf("%w: check BACKSTAGE_TOKEN (a static external-access or service token with catalog read permission)", err)
	case 404:
		return fmt.Errorf("%w: check BACKSTAGE_URL (the backend base URL, e.g. http://localhost:7007; the catalog API is at /api/catalog)", err)
	}
	return err
}

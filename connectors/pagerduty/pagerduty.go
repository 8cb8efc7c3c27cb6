// Package pagerduty is the PagerDuty REST API v2 connector: services and teams (Catalog),
// open incidents with their acknowledgements and pending actions (Incidents) and their
// alerts (Alerts), who is on call and who takes over, and how the service's escalation
// policy escalates (OnCall), change events (Changes), maintenance windows (Mutes), and
// incident lookup by id or number (IncidentFinder). It reads with `Authorization: Token
// token=…` and the versioned Accept header, pages with limit/offset/more, and honours 429
// ratelimit-reset through httpx.
package pagerduty

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/httpx"
)

// SourceName is the name of this source in answers.
const SourceName = "pagerduty"

// Accept is the versioned media type PagerDuty requires on every request.
const Accept = "application/vnd.pagerduty+json;version=2"

// Variables a user sets to configure this source, named in error messages.
const (
	TokenVar        = "PAGERDUTY_API_TOKEN"
	URLVar          = "PAGERDUTY_API_URL"
	ClientIDVar     = "PAGERDUTY_CLIENT_ID"
	ClientSecretVar = "PAGERDUTY_CLIENT_SECRET"
)

// Defaults for zero Options fields.
const (
	DefaultPageSize          = 100 // PagerDuty's maximum
	DefaultMaxPages          = 20
	DefaultMaxAlertIncidents = 20
	DefaultMaxRelated        = 5  // open incidents whose related change events are read
	DefaultMaxServiceChanges = 10 // services asked one by one when the account list is too long
)

// answerTTL is how long a listing or per-incident read is shared: within one answer.
const answerTTL = 5 * time.Second

// Options configure a Source.
type Options struct {
	// Name is the source name in answers: SourceName for the unnamed instance (the
	// default), or SourceName/<instance> for a named one (model.SourceName).
	Name string
	// Client is the HTTP client for the PagerDuty API (base URL, auth, Accept header).
	Client *httpx.Client
	// PageSize is the limit per page (default 100, the vendor maximum).
	PageSize int
	// MaxPages bounds the pages read per list (default 20); longer lists are truncated.
	MaxPages int
	// MaxAlertIncidents bounds the open incidents whose alerts are read per call (default 20).
	MaxAlertIncidents int
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Shared, when set, is the cache replicas share: the listings and per-incident reads
	// one answer shares go through it, so that replicas answering at once read each once.
	Shared cache.Shared
}

// Source reads PagerDuty. It is safe for concurrent use.
type Source struct {
	o Options
	c *httpx.Client

	mu        sync.Mutex
	policyOf  map[string]string          // service id -> escalation policy id, learnt from Catalog
	open      *cache.Memo[openList]      // one listing per answer: incidents, alerts and changes ask concurrently
	alertsOf  *cache.Memo[[]alert]       // incident id -> its alerts, shared by speculative and listed reads
	relatedOf *cache.Memo[[]changeEvent] // incident id -> its related change events, likewise
	known     known                      // the open incidents of each service last listed
}

var (
	_ connectors.Catalog        = (*Source)(nil)
	_ connectors.Incidents      = (*Source)(nil)
	_ connectors.Alerts         = (*Source)(nil)
	_ connectors.OnCall         = (*Source)(nil)
	_ connectors.Changes        = (*Source)(nil)
	_ connectors.IncidentFinder = (*Source)(nil)
	_ connectors.Warmer         = (*Source)(nil)
	_ connectors.Mutes          = (*Source)(nil)
)

// New returns a Source for o.
func New(o Options) *Source {
	if o.Name == "" {
		o.Name = SourceName
	}
	if o.PageSize <= 0 {
		o.PageSize = DefaultPageSize
	}
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	if o.MaxAlertIncidents <= 0 {
		o.MaxAlertIncidents = DefaultMaxAlertIncidents
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Source{o: o, c: o.Client, policyOf: map[string]string{},
		open:      cache.NewMemo[openList](answerTTL).Share(o.Shared, o.Name+"|open incidents"),
		alertsOf:  cache.NewMemo[[]alert](answerTTL).Share(o.Shared, o.Name+"|incident alerts"),
		relatedOf: cache.NewMemo[[]changeEvent](answerTTL).Share(o.Shared, o.Name+"|related change events"),
		known:     known{cache.NewMemo[[]incident](answerTTL)}}
}

// Auth returns the request hook that sends token as `Authorization: Token token=<token>`.
func Auth(token string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Token token="+token) }
}

// Header returns the fixed headers every request needs: the versioned Accept, and the
// Content-Type the API reference declares required on every operation, reads included (as
// PagerDuty's own clients send it; a server validating requests against the reference
// refuses a read without it).
func Header() http.Header {
	return http.Header{"Accept": {Accept}, "Content-Type": {"application/json"}}
}

// Name returns the source name: "pagerduty", or "pagerduty/<instance>".
func (s *Source) Name() string { return s.o.Name }

// BaseURL returns the API base URL requests go to.
func (s *Source) BaseURL() string {
	u, _ := s.c.URL("", nil)
	return u
}

// Check reads one item of every listing the answers use (Probes).
func (s *Source) Check(ctx context.Context) error { return connectors.CheckAll(ctx, s.Probes()) }

// SignIn fetches the Scoped OAuth app's access token (connectors.Authenticator); an API token
// is connectors.ErrNoSignIn.
func (s *Source) SignIn(ctx context.Context) error {
	if !s.c.SignsIn() {
		return connectors.ErrNoSignIn
	}
	return wrap(s.c.SignIn(ctx))
}

var _ connectors.Authenticator = (*Source)(nil)

// wrap names the variable to fix on authentication errors.
func wrap(err error) error {
	switch httpx.StatusOf(err) {
	case http.StatusUnauthorized:
		return fmt.Errorf("%w: check %s (or the Scoped OAuth app's %s and %s)", err, TokenVar, ClientIDVar, ClientSecretVar)
	case http.StatusForbidden:
		return fmt.Errorf("%w: check that %s may read this (user or read-only API key with access; an app token needs the scope)", err, TokenVar)
	}
	return err
}

// pageConcurrency is how many pages of one listing are read at once once the first page has
// announced the total: well within PagerDuty's budget of about 960 requests a minute per key.
const pageConcurrency = 4

// listAll reads every page of a classic-paginated list, up to MaxPages; beyond it, it returns
// the rows read with a *connectors.Incomplete. The first page asks for the total
// (`total=true`); when it announces one, the pages after it are read pageConcurrency at a time,
// and then, if the last still says `more` (the list grew meanwhile), one after another. A page
// says whether another follows with `more`; a listing whose response declares no `more` (the
// change event listings) is read page by page until a page comes back short, as its limit and
// offset parameters allow. A page that repeats an earlier one (an upstream that ignores the
// offset) fails the listing (connectors.ErrPagingLoop).
func listAll[T any](ctx context.Context, s *Source, path string, q url.Values, key string) (out []T, err error) {
	var guard connectors.Pages
	add := func(p page[T]) error {
		if len(p.items) > 0 {
			if err := guard.Next("GET "+path, p.raw); err != nil { // the offset was ignored
				return err
			}
		}
		out = append(out, p.items...)
		return nil
	}
	first, err := getPage[T](ctx, s, path, q, key, 0, true)
	if err != nil {
		return out, err
	}
	if err := add(first); err != nil {
		return nil, err
	}
	last, offset, pages := first, len(first.items), 1
	if first.more && first.total > offset && len(first.items) == s.o.PageSize {
		rest, err := restPages[T](ctx, s, path, q, key, first.total, pages)
		for _, p := range rest {
			if err == nil {
				err = add(p)
			}
			last, offset, pages = p, offset+len(p.items), pages+1
		}
		if err != nil {
			return out, err
		}
	}
	for ; last.more && len(last.items) > 0; pages++ {
		if pages == s.o.MaxPages {
			return out, &connectors.Incomplete{What: "GET " + path,
				Why: fmt.Sprintf("%d rows in %d pages read, more remain (MaxPages)", len(out), pages)}
		}
		if last, err = getPage[T](ctx, s, path, q, key, offset, false); err != nil {
			return out, err
		}
		if err := add(last); err != nil {
			return nil, err
		}
		offset += len(last.items)
	}
	return out, nil
}

// page is one page of a classic-paginated list.
type page[T any] struct {
	items []T
	raw   string // the items as sent, for the paging guard
	more  bool
	total int // -1 when not announced
}

// restPages reads the pages after the first of a list of total rows (at most MaxPages in all,
// done pages read already) pageConcurrency at a time, in order; on an error it returns the
// pages before the failed one.
func restPages[T any](ctx context.Context, s *Source, path string, q url.Values, key string, total, done int) ([]page[T], error) {
	var offsets []int
	for off := done * s.o.PageSize; off < total && len(offsets)+done < s.o.MaxPages; off += s.o.PageSize {
		offsets = append(offsets, off)
	}
	pages := make([]page[T], len(offsets))
	errs := make([]error, len(offsets))
	sem := make(chan struct{}, pageConcurrency)
	var wg sync.WaitGroup
	for i, off := range offsets {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			pages[i], errs[i] = getPage[T](ctx, s, path, q, key, off, false)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return pages[:i], err
		}
	}
	return pages, nil
}

// getPage reads the page at offset; first asks for the total too.
func getPage[T any](ctx context.Context, s *Source, path string, q url.Values, key string, offset int, first bool) (page[T], error) {
	pq := url.Values{}
	for k, vs := range q {
		pq[k] = vs
	}
	pq.Set("limit", strconv.Itoa(s.o.PageSize))
	pq.Set("offset", strconv.Itoa(offset))
	if first {
		pq.Set("total", "true")
	}
	var raw map[string]json.RawMessage
	if _, err := s.c.GetJSON(ctx, path, pq, &raw); err != nil {
		return page[T]{}, wrap(err)
	}
	p := page[T]{raw: string(raw[key]), total: -1}
	if b := raw[key]; len(b) > 0 {
		if err := json.Unmarshal(b, &p.items); err != nil {
			return page[T]{}, fmt.Errorf("%s: malformed %s in GET %s: %w", SourceName, key, path, err)
		}
	}
	p.more = len(p.items) == s.o.PageSize // no `more`: a full page may have a successor
	if m, ok := raw["more"]; ok {
		p.more = string(m) == "true"
	}
	if n, err := strconv.Atoi(string(raw["total"])); err == nil {
		p.total = n
	}
	return p, nil
}

// parseTime reads an ISO 8601 timestamp in UTC; anything else is the zero time.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

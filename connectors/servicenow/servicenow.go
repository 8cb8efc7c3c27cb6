// Package servicenow reads a ServiceNow instance through the Table API: services, owners and
// dependencies from the CMDB, change requests, active incidents, and who is on call.
//
// Values are read raw: lists send sysparm_exclude_reference_link=true and read each field's
// value, so date/times stay "YYYY-MM-DD HH:MM:SS" UTC, choice fields stay stable codes
// (mapped to labels here), and references are sys_ids. The catalog reads
// sysparm_display_value=false with the referenced records' fields dot-walked, because owners
// need their e-mail addresses, not just the display name: each CI comes with its owning
// groups and user (support_group.name, owned_by.email, ...), and CIs outside the configured
// classes come with the relations that reach them (child.name, child.support_group.name, ...).
// Dot-walked fields are raw values like the others (=all would make each an object read by
// its value; =true would turn the references into names). A reference whose dot-walked
// fields did not come back is resolved in batches (sys_idIN… on sys_user_group, sys_user,
// cmdb_ci, at most 100 ids per request), never one request per row. Changes, incidents and
// incident lookups read sysparm_display_value=all, where a reference also carries the name
// the instance displays for it, so they need no lookup (a reference without a display value
// is still looked up). Resolved rows are kept in a reference memo shared by every capability,
// and Warm fills it with the on-call rota members' users. Lists page with sysparm_limit /
// sysparm_offset up to MaxRows rows per query: once the first page's X-Total-Count is known
// the other pages are fetched Parallel at a time without counting again (sysparm_no_count; a
// real instance takes 0.3-2 s per page), half as many for the rest of the list after a 429
// (pacer); without a count, pages follow Link rel="next" one by one (only its offset and limit are
// used, so requests always stay on the configured instance URL).
package servicenow

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/httpx"
)

// SourceName is the name of this source in answers.
const SourceName = config.SourceServiceNow

// DefaultPageSize is the sysparm_limit of each list request.
const DefaultPageSize = 1000

// Options configure a Source.
type Options struct {
	// Name is the source name in answers: SourceName for the unnamed instance (the
	// default), or SourceName/<instance> for a named one (model.SourceName).
	Name string
	// Client is the HTTP client for the instance (base URL, auth, retries).
	Client *httpx.Client
	// InstanceURL is the instance base URL used for record links (https://acme.service-now.com).
	InstanceURL string
	// CIClasses are the CMDB tables read as services (default cmdb_ci_service). A table
	// includes its subclasses, as in ServiceNow.
	CIClasses []string
	// MaxRows caps the rows read per table and query (default config.DefaultServiceNowMaxRows);
	// beyond it the catalog is marked truncated.
	MaxRows int
	// PageSize is the sysparm_limit of each request (default DefaultPageSize).
	PageSize int
	// Parallel is how many requests of one list or lookup run at once (default DefaultParallel).
	Parallel int
	// AuthVars names the settings to fix on HTTP 401, e.g. "SERVICENOW_TOKEN".
	AuthVars string
}

// Source is a ServiceNow instance. It implements Catalog, Changes, Incidents, OnCall,
// IncidentFinder and Warmer.
type Source struct {
	name     string
	c        *httpx.Client
	instance string
	classes  []string
	maxRows  int
	pageSize int
	parallel int
	authVars string
	memo     *cache.Memo[row] // reference rows by sys_id, see lookup
	// testHookPaced, set by tests only, sees each page a listing's pacer lets through.
	testHookPaced func(limit, busy int)
}

var (
	_ connectors.Catalog        = (*Source)(nil)
	_ connectors.Changes        = (*Source)(nil)
	_ connectors.Incidents      = (*Source)(nil)
	_ connectors.OnCall         = (*Source)(nil)
	_ connectors.IncidentFinder = (*Source)(nil)
	_ connectors.Warmer         = (*Source)(nil)
)

// New returns a Source for o, applying defaults.
func New(o Options) *Source {
	if o.Name == "" {
		o.Name = SourceName
	}
	s := &Source{name: o.Name, memo: cache.NewMemo[row](memoTTL), c: o.Client, instance: strings.TrimSuffix(o.InstanceURL, "/"), maxRows: o.MaxRows,
		pageSize: o.PageSize, parallel: o.Parallel, authVars: o.AuthVars}
	for _, c := range o.CIClasses {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(s.classes, c) {
			s.classes = append(s.classes, c)
		}
	}
	if len(s.classes) == 0 {
		s.classes = []string{config.DefaultServiceNowCIClass}
	}
	if s.maxRows <= 0 {
		s.maxRows = config.DefaultServiceNowMaxRows
	}
	if s.pageSize <= 0 {
		s.pageSize = DefaultPageSize
	}
	if s.parallel <= 0 {
		s.parallel = DefaultParallel
	}
	if s.authVars == "" {
		s.authVars = "SERVICENOW_CLIENT_ID and SERVICENOW_CLIENT_SECRET, SERVICENOW_USERNAME and SERVICENOW_PASSWORD, or SERVICENOW_TOKEN"
	}
	return s
}

// Name returns the source name: "servicenow", or "servicenow/<instance>".
func (s *Source) Name() string { return s.name }

// Check reads one row of every table the answers read (Probes): it proves the URL, the
// credentials and each read access.
func (s *Source) Check(ctx context.Context) error { return connectors.CheckAll(ctx, s.Probes()) }

// SignIn fetches the OAuth token when the instance is signed in to with an OAuth client
// (connectors.Authenticator); a static token or basic auth is connectors.ErrNoSignIn.
func (s *Source) SignIn(ctx context.Context) error {
	if !s.c.SignsIn() {
		return connectors.ErrNoSignIn
	}
	return s.wrap(s.c.SignIn(ctx), "oauth_token.do")
}

var _ connectors.Authenticator = (*Source)(nil)

// wrap adds what to fix to authentication and authorization failures.
func (s *Source) wrap(err error, table string) error {
	switch httpx.StatusOf(err) {
	case 401:
		return fmt.Errorf("%w: check %s", err, s.authVars)
	case 403:
		return fmt.Errorf("%w: the ServiceNow user lacks read access to %s (roles/ACLs; see %s)", err, table, s.authVars)
	}
	return err
}

// recordURL links to a record in the instance UI.
func (s *Source) recordURL(table, sysID string) string {
	if s.instance == "" || sysID == "" {
		return ""
	}
	return s.instance + "/nav_to.do?uri=" + table + ".do?sys_id=" + sysID
}

func tablePath(table string) string { return "api/now/table/" + url.PathEscape(table) }

package dynatrace

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sourcegraph/conc"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
)

const sloPath = "api/v2/slo"

// Page sizes of /slo: with evaluate=true the API allows at most 25 SLOs per page; the
// unevaluated listing that finds a target's SLOs reads up to 500 per page.
const (
	sloEvalPageSize = 25
	sloListPageSize = 500
)

// DefaultSLOWindow is the window of an SLO whose timeframe opsctx cannot parse: Dynatrace's
// own default timeframe, one week ("-1w").
const DefaultSLOWindow = 7 * 24 * time.Hour

// slo is the spec's SLO, limited to the fields opsctx reads.
type slo struct {
	ID                  string  `json:"id"`
	Name                string  `json:"name"`
	Description         string  `json:"description"`
	Target              float64 `json:"target"`
	Warning             float64 `json:"warning"`
	Timeframe           string  `json:"timeframe"`
	Filter              string  `json:"filter"`
	MetricExpression    string  `json:"metricExpression"`
	EvaluatedPercentage float64 `json:"evaluatedPercentage"`
	ErrorBudget         float64 `json:"errorBudget"`
	Status              string  `json:"status"`
	Error               string  `json:"error"`
	ErrorBudgetBurnRate *struct {
		BurnRateVisualizationEnabled bool     `json:"burnRateVisualizationEnabled"`
		BurnRateValue                *float64 `json:"burnRateValue"`
	} `json:"errorBudgetBurnRate"`
}

// SLOs returns the target's SLOs as Dynatrace evaluates them over their own timeframe.
//
// No sloSelector criterion names an entity (the API offers id, name, text, healthState,
// problemDisplayName and managementZone), so a target's SLOs are found in two steps: the
// unevaluated listing of every enabled SLO (cheap, 500 per page; kept for ReferenceTTL,
// fetched by Warm or else here), filtered on the SLO's entity filter naming one of the
// target's entity ids (entityId(...)) or one of its names (entityName(...)); then only
// those are evaluated, by sloSelector=id(...), 25 per page as the API allows with
// evaluate=true. A zero target evaluates every SLO. Pages are followed by nextPageKey alone.
func (s *Source) SLOs(ctx context.Context, t model.Target) ([]model.SLO, error) {
	eval := func() url.Values {
		return url.Values{"evaluate": {"true"}, "timeFrame": {"CURRENT"}, "pageSize": {s.evalPageSize()}}
	}
	if t.Name == "" {
		return s.allSLOs(ctx, eval())
	}
	ids, names := entityIDs(s.Name(), t, false), targetNames(t)
	l, err := s.definitions(ctx)
	if err != nil {
		return nil, err
	}
	all, cut := l.xs, l.cut
	var plat []platformSLO
	var platService []string
	for _, x := range l.platform {
		if svc, ok := matchPlatform(x, ids, names); ok {
			plat, platService = append(plat, x), append(platService, svc)
		}
	}
	service := map[string]string{} // SLO id -> the entity id or name that ties it to t
	var order []string
	for _, x := range all {
		if svc, ok := matchFilter(x.Filter, ids, names); ok && service[x.ID] == "" {
			service[x.ID] = svc
			order = append(order, x.ID)
		}
	}
	var out []model.SLO
	for chunk := range slices.Chunk(order, sloEvalPageSize) {
		q := eval()
		q.Set("sloSelector", criterion("id", chunk...))
		xs, err := list[slo](ctx, s, sloPath, q) // at most one page: sloEvalPageSize ids
		if err != nil {
			return nil, err
		}
		for _, x := range xs {
			if svc, ok := service[x.ID]; ok {
				out = append(out, s.slo(x, svc))
			}
		}
	}
	ps, pcut := s.evaluatePlatform(ctx, plat, platService)
	return append(out, ps...), connectors.JoinIncomplete(cut, pcut)
}

// allSLOs evaluates every SLO: the classic API's, in pages of 25, and, with Platform, the
// platform SLO service's.
func (s *Source) allSLOs(ctx context.Context, q url.Values) ([]model.SLO, error) {
	var out []model.SLO
	var cut error
	if s.o.Platform {
		l, err := s.definitions(ctx)
		if err != nil {
			return nil, err
		}
		var svc []string
		for _, x := range l.platform {
			svc = append(svc, platformService(x))
		}
		ps, pcut := s.evaluatePlatform(ctx, l.platform, svc)
		if !l.classic { // l.cut says why the classic SLOs are missing
			return ps, connectors.JoinIncomplete(l.cut, pcut)
		}
		out, cut = ps, connectors.JoinIncomplete(l.platformCut, pcut)
	}
	xs, err := list[slo](ctx, s, sloPath, q)
	if err != nil && !connectors.IsIncomplete(err) {
		return nil, err
	}
	for _, x := range xs {
		out = append(out, s.slo(x, filterService(x.Filter)))
	}
	return out, connectors.JoinIncomplete(cut, err)
}

// Warm fetches the unevaluated SLO listing and the maintenance windows again, concurrently,
// and keeps them for ReferenceTTL, so that SLOs only evaluates the target's SLOs and Mutes
// costs no request; while it runs, they use the listings it replaces. It does not read
// entities (Catalog does).
func (s *Source) Warm(ctx context.Context) error {
	var dErr, mErr error
	var wg conc.WaitGroup
	wg.Go(func() { _, dErr = s.defs.Refresh(ctx, "", s.fetchDefinitions) })
	wg.Go(func() { _, mErr = s.mws.Refresh(ctx, "", s.fetchWindows) })
	wg.Wait()
	return errors.Join(dErr, mErr)
}

// sloListing is the unevaluated SLO listing: the classic API's SLOs (xs, unless classic is
// false: that listing failed and platform SLOs answer alone) and, with Platform, the
// platform SLO service's. cut says why it may not hold every SLO (a listing cut at MaxPages,
// or one of the two that failed); platformCut is the part of cut about the platform SLOs.
type sloListing struct {
	xs          []slo
	classic     bool
	platform    []platformSLO
	cut         error
	platformCut error
}

// sloListingJSON is a sloListing in a snapshot.
type sloListingJSON struct {
	SLOs        []slo                  `json:"slos"`
	Classic     bool                   `json:"classic"`
	Platform    []platformSLO          `json:"platform,omitempty"`
	Cut         *connectors.Incomplete `json:"cut,omitempty"`
	PlatformCut *connectors.Incomplete `json:"platform_cut,omitempty"`
}

// MarshalJSON encodes the listing with why it was cut, if it was.
func (l sloListing) MarshalJSON() ([]byte, error) {
	j := sloListingJSON{SLOs: l.xs, Classic: l.classic, Platform: l.platform}
	errors.As(l.cut, &j.Cut)
	errors.As(l.platformCut, &j.PlatformCut)
	return json.Marshal(j)
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (l *sloListing) UnmarshalJSON(data []byte) error {
	var j sloListingJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*l = sloListing{xs: j.SLOs, classic: j.Classic, platform: j.Platform}
	if j.Cut != nil {
		l.cut = j.Cut
	}
	if j.PlatformCut != nil {
		l.platformCut = j.PlatformCut
	}
	return nil
}

// kept is what a snapshot holds of the source: the SLO listing and what each service runs
// on (from the catalog's entity listing).
type kept struct {
	SLOs   *cache.Memo[sloListing] `json:"slos"`
	RunsOn map[string][]string     `json:"runs_on"`
}

// Kept returns the SLO listing and what the services run on, for a snapshot
// (connectors.Keeper).
func (s *Source) Kept() (json.RawMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return json.Marshal(kept{s.defs, s.runsOn})
}

// Keep takes back what Kept returned; the next Warm and Catalog replace it.
func (s *Source) Keep(data json.RawMessage) error {
	k := kept{SLOs: s.defs}
	if err := json.Unmarshal(data, &k); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, on := range k.RunsOn {
		if _, ok := s.runsOn[id]; !ok {
			s.runsOn[id] = on
		}
	}
	return nil
}

// definitions returns the kept unevaluated SLO listing, fetching it unless it is fresh, in
// flight or being refreshed by Warm.
func (s *Source) definitions(ctx context.Context) (sloListing, error) {
	return s.defs.Get(ctx, "", s.fetchDefinitions)
}

// fetchDefinitions reads every enabled SLO, unevaluated: from the classic API and, with
// Platform, from the platform SLO service at the same time. With both, one failing leaves
// the other's SLOs and says which listing is missing and why — except a platform without the
// SLO service (HTTP 404), which simply has no platform SLOs; both failing fails.
func (s *Source) fetchDefinitions(ctx context.Context) (sloListing, error) {
	var plat []platformSLO
	var perr error
	var wg sync.WaitGroup
	if s.o.Platform {
		wg.Add(1)
		go func() { defer wg.Done(); plat, perr = s.listPlatformSLOs(ctx) }()
	}
	xs, err := list[slo](ctx, s, sloPath, url.Values{"evaluate": {"false"}, "pageSize": {s.pageSize(sloListPageSize)}})
	wg.Wait()
	l := sloListing{xs: xs, classic: true}
	if connectors.IsIncomplete(err) {
		l.cut, err = err, nil
	}
	if !s.o.Platform {
		return l, err
	}
	switch {
	case connectors.IsIncomplete(perr):
		l.platform, l.platformCut = plat, perr
	case perr != nil && httpx.StatusOf(perr) != 404:
		l.platformCut = &connectors.Incomplete{What: "platform SLOs (GET /" + sloServicePath + ")", Why: perr.Error()}
	default:
		l.platform = plat
	}
	if err != nil {
		if perr != nil && !connectors.IsIncomplete(perr) {
			return sloListing{}, err
		}
		l.xs, l.classic = nil, false
		l.cut = &connectors.Incomplete{What: "classic SLOs (GET /" + s.api(sloPath) + ")", Why: err.Error()}
	}
	l.cut = connectors.JoinIncomplete(l.cut, l.platformCut)
	return l, nil
}

// evalPageSize is the page size of evaluated listings: PageSize, at most 25.
func (s *Source) evalPageSize() string {
	n := sloEvalPageSize
	if s.o.PageSize > 0 {
		n = min(s.o.PageSize, sloEvalPageSize)
	}
	return strconv.Itoa(n)
}

// slo maps an evaluated SLO. Dynatrace reports the attainment over the SLO's timeframe, a
// burn rate over the last hour (when burn-rate visualization is on) and the error budget
// in percentage points (attainment - target), which is normalised here to the fraction of
// the budget left. An SLO Dynatrace could not evaluate keeps no number and carries Error.
func (s *Source) slo(x slo, service string) model.SLO {
	m := model.SLO{Name: x.Name, Service: service, Objective: x.Target, Warning: x.Warning, Window: sloWindow(x.Timeframe),
		SLI: x.Description, Source: SourceName, URL: s.SLOURL(x.ID), AsOf: s.now()}
	if m.SLI == "" {
		m.SLI = x.MetricExpression
	}
	switch {
	case x.Error != "" && x.Error != "NONE":
		m.Error = "dynatrace could not evaluate the SLO: " + x.Error
		return m
	case x.EvaluatedPercentage == -1 || math.IsNaN(x.EvaluatedPercentage):
		m.Error = "dynatrace returned no evaluation for the SLO"
		return m
	}
	att := x.EvaluatedPercentage
	m.Attainment = &att
	if br := x.ErrorBudgetBurnRate; br != nil && br.BurnRateVisualizationEnabled && br.BurnRateValue != nil && !math.IsNaN(*br.BurnRateValue) {
		m.BurnRates = map[string]float64{"1h": *br.BurnRateValue}
	}
	if x.Target > 0 && x.Target < 100 && !math.IsNaN(x.ErrorBudget) && !math.IsInf(x.ErrorBudget, 0) {
		r := x.ErrorBudget / (100 - x.Target)
		m.BudgetRemaining = &r
	}
	return m
}

func (s *Source) now() time.Time {
	if s.o.Now != nil {
		return s.o.Now().UTC()
	}
	return time.Now().UTC()
}

// SLOURL links to an SLO in the Dynatrace web UI (the classic SLO page filtered to the id;
// the path is assumed from the UI, not from the API spec).
func (s *Source) SLOURL(id string) string {
	if s.o.EnvURL == "" || id == "" {
		return ""
	}
	return s.o.EnvURL + "/ui/slo?id=" + url.QueryEscape(id)
}

// timeframeRe matches the SLO timeframes opsctx understands: a relative "-1w", "now-30d",
// optionally aligned ("-1d/d") and closed by "to now".
var timeframeRe = regexp.MustCompile(`^(?:now)?-(\d+)\s*([smhdwMqy])(?:/[smhdwMqy])?(?:\s+to\s+now(?:/[smhdwMqy])?)?$`)

// sloWindow parses an SLO timeframe into its length; anything else (absolute ranges,
// "today", ...) is DefaultSLOWindow, Dynatrace's default.
func sloWindow(tf string) time.Duration {
	m := timeframeRe.FindStringSubmatch(strings.TrimSpace(tf))
	if m == nil {
		return DefaultSLOWindow
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n <= 0 {
		return DefaultSLOWindow
	}
	day := 24 * time.Hour
	unit := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": day, "w": 7 * day,
		"M": 30 * day, "q": 91 * day, "y": 365 * day}[m[2]]
	return time.Duration(n) * unit
}

// targetNames are the lower-cased names an SLO filter may name the target by
// (entityName(...)): canonical name, record names, titles and aliases; not ids.
func targetNames(t model.Target) []string {
	var out []string
	for _, n := range t.Identities() {
		if n = strings.ToLower(strings.TrimSpace(n)); n != "" && !entityIDPattern.MatchString(strings.ToUpper(n)) && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// matchFilter reports whether an SLO's entity filter (an entitySelector) is about the
// target: a top-level entityId(...) naming one of ids, or a top-level entityName(...) /
// entityName.equals(...) naming one of names (case-insensitive). Nested criteria such as
// fromRelationships.calls(entityId(...)) select other entities and do not count. It
// returns the id or name found.
func matchFilter(filter string, ids, names []string) (string, bool) {
	for _, c := range topCriteria(filter) {
		switch {
		case c.name == "entityId":
			for _, v := range c.values {
				if slices.Contains(ids, v) {
					return v, true
				}
			}
		case c.name == "entityName" || c.name == "entityName.equals":
			for _, v := range c.values {
				if slices.Contains(names, strings.ToLower(v)) {
					return v, true
				}
			}
		}
	}
	return "", false
}

// filterService is the service an SLO filter names, for listings without a target: the
// first top-level entity id, else the first entity name, else "".
func filterService(filter string) string {
	crits := topCriteria(filter)
	for _, want := range []string{"entityId", "entityName", "entityName.equals"} {
		for _, c := range crits {
			if c.name == want && len(c.values) > 0 {
				return c.values[0]
			}
		}
	}
	return ""
}

// selCriterion is one top-level criterion of a selector: name and its quoted values.
type selCriterion struct {
	name   string
	values []string
}

// topCriteria splits a selector such as type("SERVICE"),entityId("A","B") into its
// top-level criteria. Values are the quoted strings directly inside the criterion (with
// ~" and ~~ unescaped) or bare words; nested criteria yield no values of their own.
func topCriteria(sel string) []selCriterion {
	var out []selCriterion
	var cur *selCriterion
	var name, val strings.Builder
	depth, quoted, bare := 0, false, false
	flushBare := func() {
		if bare && depth == 1 && cur != nil {
			if v := strings.TrimSpace(val.String()); v != "" {
				cur.values = append(cur.values, v)
			}
		}
		val.Reset()
		bare = false
	}
	for i := 0; i < len(sel); i++ {
		ch := sel[i]
		switch {
		case quoted && ch == '~' && i+1 < len(sel):
			val.WriteByte(sel[i+1])
			i++
		case quoted && ch == '"':
			quoted = false
			if depth == 1 && cur != nil {
				cur.values = append(cur.values, val.String())
			}
			val.Reset()
		case quoted:
			val.WriteByte(ch)
		case ch == '"':
			quoted = true
			val.Reset()
		case ch == '(':
			if depth == 0 {
				out = append(out, selCriterion{name: strings.TrimSpace(name.String())})
				cur = &out[len(out)-1]
				name.Reset()
			} else {
				val.Reset()
				bare = false
			}
			depth++
		case ch == ')':
			flushBare()
			if depth > 0 {
				depth--
			}
		case ch == ',':
			if depth == 0 {
				name.Reset()
			}
			flushBare()
		case depth == 0:
			name.WriteByte(ch)
		case ch != ' ':
			val.WriteByte(ch)
			bare = true
		}
	}
	return out
}

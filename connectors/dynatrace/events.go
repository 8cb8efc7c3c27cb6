package dynatrace

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/sourcegraph/conc/pool"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/model"
)

const eventsPath = "api/v2/events"

// Deployment event property keys (reserved dt.event.* namespace).
const (
	propVersion   = "dt.event.deployment.version"
	propName      = "dt.event.deployment.name"
	propProject   = "dt.event.deployment.project"
	propCILink    = "dt.event.deployment.ci_back_link"
	propRootCause = "dt.event.is_rootcause_relevant"
)

// authorKeys are free-form property keys that carry who made a change (case-insensitive).
var authorKeys = []string{"author", "user", "triggered_by", "triggeredby", "approver", "changed_by", "owner", "committer"}

// Free-form property keys that carry what a change did and which change record it belongs
// to, compared folded (case, '_', '-', '.' and spaces ignored). The Events API v1 named a
// CUSTOM_CONFIGURATION's fields configuration, original and changed; integrations sending v2
// events use their own words, the common ones listed here. A deployment's previous version
// is never a reserved key.
var (
	settingKeys     = []string{"configuration", "setting", "parameter", "config", "configkey"}
	beforeKeys      = []string{"original", "old", "oldvalue", "previous", "previousvalue", "before", "from", "fromvalue"}
	afterKeys       = []string{"changed", "new", "newvalue", "after", "to", "tovalue"}
	prevVersionKeys = []string{"previousversion", "oldversion", "fromversion"}
	recordKeys      = []string{"changerequest", "changerequestid", "changenumber", "changeid", "changeticket", "change"}
)

// Changes returns the deployment and configuration events of the target, its neighbours and
// the hosts it runs on (t.Hosts) in [Since, Until]: those sent to their services, to the
// process groups the services run on (CI tools often report there), counted as their
// service's, and to the hosts they run on (runsOnHost, t.Hosts), which stay the host's: the
// answer places them on the host under the service. One paged request per event type (an eventSelector takes one type), scoped
// by eventSelector entityId(...). A zero target reads every entity's.
func (s *Source) Changes(ctx context.Context, t model.Target) ([]model.Change, error) {
	ids := entityIDs(s.Name(), t, true)
	if t.Name != "" && len(ids) == 0 {
		return nil, nil
	}
	runsOn, topoErr := s.runsOnOf(ctx, ids)
	scope := slices.Clone(ids)
	for _, id := range slices.Sorted(maps.Keys(runsOn)) {
		scope = append(scope, id)
	}
	results := make([][]event, len(s.o.EventTypes))
	cuts := make([]error, len(s.o.EventTypes))
	p := pool.New().WithContext(ctx).WithCancelOnError().WithFirstError()
	for i, typ := range s.o.EventTypes {
		sel := criterion("eventType", typ)
		if len(scope) > 0 {
			sel += "," + criterion("entityId", scope...)
		}
		q := url.Values{"eventSelector": {sel}, "pageSize": {s.pageSize(500)}}
		setWindow(q, t)
		p.Go(func(ctx context.Context) error {
			evs, err := list[event](ctx, s, eventsPath, q)
			results[i] = evs
			if connectors.IsIncomplete(err) {
				cuts[i], err = err, nil
			}
			return err
		})
	}
	if err := p.Wait(); err != nil {
		return nil, err
	}
	var out []model.Change
	for _, evs := range results {
		for _, e := range evs {
			if !slices.ContainsFunc(out, func(c model.Change) bool { return c.ID == e.EventID }) {
				c := change(e)
				if svc := runsOn[e.EntityID.EntityID.ID]; svc != "" && e.EntityID.EntityID.Type != "HOST" &&
					!strings.HasPrefix(e.EntityID.EntityID.ID, "HOST-") {
					c.Service = svc // sent to a process group the service runs on
				}
				out = append(out, c)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out, connectors.JoinIncomplete(append(cuts, topoErr)...)
}

// runsOnOf maps the process groups and hosts the services run on (their fromRelationships
// runsOn and runsOnHost) to the service: from the catalog listing when it has them, else by
// reading the services' entities (one request). When the entities cannot be read, changes sent
// to process groups and hosts are missing, and the *connectors.Incomplete says so.
func (s *Source) runsOnOf(ctx context.Context, ids []string) (map[string]string, error) {
	var missing []string
	for _, id := range ids {
		if strings.HasPrefix(id, "SERVICE-") && !s.knowsRunsOn(id) {
			missing = append(missing, id)
		}
	}
	var cut error
	if len(missing) > 0 {
		q := url.Values{"entitySelector": {criterion("entityId", missing...)}, "fields": {"+fromRelationships"},
			"pageSize": {s.pageSize(500)}}
		es, err := list[entity](ctx, s, entitiesPath, q)
		if err != nil && !connectors.IsIncomplete(err) {
			cut = &connectors.Incomplete{What: "changes sent to the service's process groups and hosts", Why: err.Error()}
		}
		s.rememberRunsOn(es)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for _, id := range ids {
		for _, e := range s.runsOn[id] {
			if _, ok := out[e]; !ok {
				out[e] = id
			}
		}
	}
	return out, cut
}

func (s *Source) knowsRunsOn(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.runsOn[id]
	return ok
}

// rememberRunsOn keeps the process groups and hosts of each service entity.
func (s *Source) rememberRunsOn(es []entity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range es {
		if e.Type != "" && e.Type != "SERVICE" {
			continue
		}
		var on []string
		for _, rel := range []string{"runsOn", "runsOnHost"} {
			for _, r := range e.FromRelationships[rel] {
				on = append(on, r.ID)
			}
		}
		s.runsOn[e.EntityID] = on
	}
}

// change maps a deployment or configuration event.
func change(e event) model.Change {
	props := map[string]string{}
	for _, p := range e.Properties {
		props[p.Key] = p.Value
	}
	c := model.Change{
		ID: e.EventID, Title: e.Title, Kind: changeKind(e.EventType), At: ms(e.StartTime),
		Author: author(e.Properties), Service: e.EntityID.EntityID.ID, State: strings.ToLower(e.Status),
		Version: props[propVersion], Source: SourceName, URL: props[propCILink],
	}
	if e.EndTime != nil && *e.EndTime > 0 {
		c.EndAt = ms(*e.EndTime)
	}
	if c.Title == "" {
		c.Title = strings.TrimSpace(firstNonEmpty(props[propName], e.EntityID.Name, e.EventType) + " " + c.Version)
	}
	if pr := props[propProject]; pr != "" && !strings.Contains(c.Title, pr) {
		c.Title += fmt.Sprintf(" (project %s)", pr)
	}
	if strings.EqualFold(props[propRootCause], "true") {
		c.Risk = append(c.Risk, "root-cause relevant per Dynatrace")
	}
	c.RecordRef = prop(e.Properties, recordKeys)
	switch c.Kind {
	case "config":
		c.Setting, c.Before, c.After = prop(e.Properties, settingKeys), prop(e.Properties, beforeKeys), prop(e.Properties, afterKeys)
	case "deploy":
		if prev := prop(e.Properties, prevVersionKeys); prev != "" {
			c.Setting, c.Before, c.After = "version", prev, c.Version
		}
	}
	return c
}

// prop is the first non-empty value of the free-form properties under one of keys
// (folded, in the order of keys).
func prop(ps []property, keys []string) string {
	for _, k := range keys {
		for _, p := range ps {
			if foldKey(p.Key) == k && strings.TrimSpace(p.Value) != "" {
				return strings.TrimSpace(p.Value)
			}
		}
	}
	return ""
}

// foldKey lowercases a property key and drops '_', '-', '.' and spaces.
func foldKey(k string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '_', '-', '.', ' ':
			return -1
		}
		return unicode.ToLower(r)
	}, k)
}

func changeKind(eventType string) string {
	switch eventType {
	case "CUSTOM_DEPLOYMENT":
		return "deploy"
	case "CUSTOM_CONFIGURATION":
		return "config"
	}
	return "infra"
}

func author(ps []property) string {
	for _, k := range authorKeys {
		for _, p := range ps {
			if strings.EqualFold(p.Key, k) && strings.TrimSpace(p.Value) != "" {
				return strings.TrimSpace(p.Value)
			}
		}
	}
	return ""
}

func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

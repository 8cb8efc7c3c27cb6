package servicenow

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sourcegraph/conc/pool"
)

// batchSize is the number of sys_ids per sys_idIN lookup (keeps URLs near 4 KB).
const batchSize = 100

// Fields of the groups and users kept in the memo, whether looked up or dot-walked with the
// catalog's CIs: both paths keep the same rows, and only what answers read (each CI of a
// large CMDB carries them dot-walked for three owners).
var (
	groupFields = []string{"sys_id", "name", "email"}
	userFields  = []string{"sys_id", "name", "email"}
)

// lookupFields are the fields read when resolving references to a table.
var lookupFields = map[string][]string{
	"sys_user_group": groupFields,
	"sys_user":       userFields,
	"cmdb_ci":        ciFields, // as the catalog's neighbour lookup: both share the memo
	"cmn_rota":       {"sys_id", "name"},
}

// refs collects the sys_ids to resolve, per table.
type refs map[string]map[string]bool

func (r refs) add(table string, ids ...string) {
	for _, id := range ids {
		if id == "" {
			continue
		}
		if r[table] == nil {
			r[table] = map[string]bool{}
		}
		r[table][id] = true
	}
}

// resolve looks up every collected sys_id (tables concurrently, each in batches) and
// returns the rows by sys_id; sys_ids are unique across tables.
func (s *Source) resolve(ctx context.Context, want refs) (map[string]row, error) {
	out := map[string]row{}
	var mu sync.Mutex
	p := pool.New().WithContext(ctx).WithCancelOnError().WithFirstError()
	for table, set := range want {
		ids := make([]string, 0, len(set))
		for id := range set {
			ids = append(ids, id)
		}
		p.Go(func(ctx context.Context) error {
			rows, err := s.lookup(ctx, table, ids, lookupFields[table], memoTTL)
			mu.Lock()
			defer mu.Unlock()
			for id, r := range rows {
				out[id] = r
			}
			return err
		})
	}
	return out, p.Wait()
}

// memoTTL is how long a resolved reference (group, user, rota name) is reused: names change
// rarely, and the catalog refresh resolves them again anyway.
const memoTTL = 10 * time.Minute

// lookup reads the rows of table with the given sys_ids, batchSize ids per request,
// s.parallel requests at a time; rows the memo has kept for less than maxAge are not read
// again.
func (s *Source) lookup(ctx context.Context, table string, ids []string, fields []string, maxAge time.Duration) (map[string]row, error) {
	return s.memo.GetMany(ctx, unique(ids), maxAge, func(ctx context.Context, mine []string) (map[string]row, error) {
		fetched := make(map[string]row, len(mine))
		var mu sync.Mutex
		p := pool.New().WithContext(ctx).WithCancelOnError().WithFirstError().WithMaxGoroutines(s.parallel)
		for start := 0; start < len(mine); start += batchSize {
			chunk := mine[start:min(start+batchSize, len(mine))]
			p.Go(func(ctx context.Context) error {
				rows, _, err := s.list(ctx, list{table: table, query: "sys_idIN" + strings.Join(chunk, ","), fields: fields,
					max: len(chunk), page: len(chunk)})
				mu.Lock()
				defer mu.Unlock()
				for _, r := range rows {
					fetched[r.str("sys_id")] = r
				}
				return err
			})
		}
		return fetched, p.Wait()
	})
}

// name returns the "name" of the resolved row id, or "".
func name(rows map[string]row, id string) string {
	if r, ok := rows[id]; ok {
		return r.str("name")
	}
	return ""
}

// names maps referenced sys_ids to their names.
type names map[string]string

// take names the references of r in fields (to table) by their display values; a reference
// without one is added to want, to be looked up.
func (n names) take(r row, want refs, table string, fields ...string) {
	for _, f := range fields {
		switch id, display, named := r.ref(f); {
		case id == "":
		case named:
			n[id] = display
		default:
			want.add(table, id)
		}
	}
}

// lookupNames adds the names of the references in want, looked up in batches (no request
// when want is empty or the memo knows them).
func (s *Source) lookupNames(ctx context.Context, n names, want refs) error {
	rows, err := s.resolve(ctx, want)
	for id, r := range rows {
		if _, ok := n[id]; !ok {
			n[id] = r.str("name")
		}
	}
	return err
}

// unique returns the distinct non-empty values, sorted (stable request URLs).
func unique(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

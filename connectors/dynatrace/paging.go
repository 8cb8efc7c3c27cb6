package dynatrace

import (
	"context"
	"fmt"
	"net/url"

	"github.com/opsctx/opsctx/connectors"
)

// page is one page of a Dynatrace list response; one of the list fields is set.
type page[T any] struct {
	NextPageKey string `json:"nextPageKey"`
	TotalCount  int64  `json:"totalCount"`
	Problems    []T    `json:"problems"`
	Events      []T    `json:"events"`
	Entities    []T    `json:"entities"`
	SLO         []T    `json:"slo"`
	Items       []T    `json:"items"` // settings objects
}

// list reads path with q and follows nextPageKey to the end. Follow-up requests carry only
// the key plus the perPage parameters (fields on /problems), as the API demands. It stops
// after MaxPages and then returns the items read with a *connectors.Incomplete; a
// nextPageKey handed out twice fails the listing (connectors.ErrPagingLoop).
func list[T any](ctx context.Context, s *Source, path string, q url.Values, perPage ...string) (items []T, err error) {
	var guard connectors.Pages
	for pages := 1; ; pages++ {
		var p page[T]
		if _, err := s.o.Client.GetJSON(ctx, s.api(path), q, &p); err != nil {
			return nil, s.wrap(err)
		}
		items = append(items, p.Problems...)
		items = append(items, p.Events...)
		items = append(items, p.Entities...)
		items = append(items, p.SLO...)
		items = append(items, p.Items...)
		if p.NextPageKey == "" {
			return items, nil
		}
		if pages >= s.o.MaxPages {
			return items, &connectors.Incomplete{What: "GET /" + s.api(path),
				Why: fmt.Sprintf("%d of %d items in %d pages read, more remain (MaxPages)", len(items), p.TotalCount, pages)}
		}
		if err := guard.Next("GET /"+path, p.NextPageKey); err != nil {
			return nil, err
		}
		next := url.Values{"nextPageKey": {p.NextPageKey}}
		for _, k := range perPage {
			if v, ok := q[k]; ok {
				next[k] = v
			}
		}
		q = next
	}
}

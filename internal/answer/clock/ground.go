package clock

import (
	"slices"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
)

// groundAlerting reports whether a host the service runs on is in trouble: an open alert
// is on it, or it is the root cause of an open problem.
func (c *Clock) groundAlerting(host string) bool {
	if answer.RootCauses(c.d, c.f.Problems)[fold(host)].ID != "" {
		return true
	}
	return slices.ContainsFunc(c.f.Alerts, func(a model.Alert) bool { return a.Status.Open() && fold(a.Service) == fold(host) })
}

// placed reports whether service runs on the host with the canonical name.
func placed(d *directory.Directory, service, host string) bool {
	_, ok := d.Placed(service, host)
	return ok
}

package prepare

import (
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
)

// groundHost returns the canonical name of the host self runs on that an alert's host
// label names ("app-01.shop.example:9100"), or "" (see the ground rule in package answer).
func groundHost(d *directory.Directory, self string, a model.Alert) string {
	if a.Host == "" || self == "" {
		return ""
	}
	if h := d.HostForRecord(a.Source, a.Host); h != nil {
		if _, ok := d.Placed(self, h.Name); ok {
			return h.Name
		}
	}
	return ""
}

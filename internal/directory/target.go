package directory

import (
	"time"

	"github.com/opsctx/opsctx/internal/model"
)

// Target builds the connector-facing target for an entity with its direct neighbours and
// what it runs on, for the window [since, until].
func (d *Directory) Target(e *Entity, since, until time.Time) model.Target {
	t := model.Target{Name: e.Name, Records: e.Records, Since: since, Until: until}
	for _, p := range d.RunsOn(e.Name) {
		t.Hosts = append(t.Hosts, p.Host.Target(since, until))
	}
	up, down := d.Neighbours(e.Name)
	seen := map[string]bool{Fold(e.Name): true}
	for _, ed := range append(up, down...) {
		n := ed.To
		if Fold(n) == Fold(e.Name) {
			n = ed.From
		}
		if seen[Fold(n)] {
			continue
		}
		seen[Fold(n)] = true
		rt := model.Target{Name: n, Since: since, Until: until}
		if ne := d.Entity(n); ne != nil {
			rt.Records = ne.Records
		}
		t.Related = append(t.Related, rt)
	}
	return t
}

package blast

import (
	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
)

// HealthOf judges the named services' health from everything open (f holds open problems,
// alerts and incidents), as Radius judges neighbours: failing, degraded, ok or unknown.
func HealthOf(d *directory.Directory, f model.Facts, names []string) map[string]answer.Health {
	h := newHealthIndex(d, f)
	out := make(map[string]answer.Health, len(names))
	for _, n := range names {
		out[n] = h.of(n)
	}
	return out
}

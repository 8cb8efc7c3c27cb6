package answer

import (
	"slices"

	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
)

// Prepare is the one normalisation step every answer starts from: it puts each fact on the
// canonical service it is about, so that the rules after it compare like with like. self is
// the service the question is about ("" for questions about everything).
func Prepare(d *directory.Directory, f model.Facts, self string) model.Facts {
	f.Alerts = attributeAlerts(d, f, self)
	return f
}

// attributeAlerts puts each open alert on its canonical service. An alert that names no
// service is attributed through the SLO it belongs to (SLO tools label their alerts with
// the SLO, not the service); one that names neither belongs to self, the service whose
// query found it, and is left out when the question is about everything.
func attributeAlerts(d *directory.Directory, f model.Facts, self string) []model.Alert {
	sloService := map[string]string{}
	for _, s := range f.SLOs {
		for _, x := range s.Value {
			sloService[fold(x.Name)] = d.Canonical(s.Source, x.Service)
		}
	}
	out := make([]model.Alert, 0, len(f.Alerts))
	for _, a := range f.Alerts {
		if !a.Status.Open() {
			continue
		}
		switch {
		case a.Service != "":
			a.Service = d.Canonical(a.Source, a.Service)
		case a.SLO != "":
			// An SLO tool's alert is about its SLO's service; without that SLO in the
			// facts, nothing says which service it is about.
			a.Service = sloService[fold(a.SLO)]
		default:
			a.Service = self
		}
		if a.Service == "" {
			continue
		}
		out = append(out, a)
	}
	return slices.Clip(out)
}

package catalogmodel

import "github.com/opsctx/opsctx/internal/model"

// AnnotationSLOObjective declares an SLO on a service (with the other opsctx.io/slo-*
// annotations, evaluated by the Prometheus source); it sets model.Service.SLODeclared.
const AnnotationSLOObjective = "opsctx.io/slo-objective"

// refAnnotations are the annotations that say a service is known to other sources, in the
// order the directory tries them: those with names set name the service's record there,
// the others link it (an Opsgenie team paged for it; JSM Operations reads the same
// annotations as Opsgenie).
var refAnnotations = []struct {
	key     string
	sources []string
	names   bool
}{
	{"pagerduty.com/service-id", []string{"pagerduty"}, true},
	{"dynatrace.com/dynatrace-entity-id", []string{"dynatrace"}, true},
	{"servicenow.com/ci-name", []string{"servicenow"}, true},
	{"servicenow.com/sys-id", []string{"servicenow"}, true},
	// The public Backstage ServiceNow plugins': a CI's sys_id, name or correlation value.
	{"servicenow.com/entity-id", []string{"servicenow"}, true},
	{"backstage.io/entity-ref", []string{"backstage"}, true},
	{"opsgenie.com/team", []string{"opsgenie", "jsm"}, false},
	{"opsgenie.com/component-selector", []string{"opsgenie", "jsm"}, false},
}

// Refs returns the references to other sources that annotations state.
func Refs(annotations map[string]string) []model.Ref {
	var out []model.Ref
	for _, a := range refAnnotations {
		v := annotations[a.key]
		if v == "" {
			continue
		}
		for _, src := range a.sources {
			r := model.Ref{In: src, Via: "annotation " + a.key}
			if a.names {
				r.ID = v
			}
			out = append(out, r)
		}
	}
	return out
}

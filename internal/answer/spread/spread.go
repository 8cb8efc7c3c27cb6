// Package spread says in how many of the instances of a source kind an alert group fires
// (the same alert in three clusters is one group "in 3 of 12"), and where that is unknown
// because an instance failed.
package spread

import (
	"fmt"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/model"
)

// Spread says in how many of the instances of one source kind an alert group fires, for
// kinds with several instances in the answer: the same alert in three clusters is one group
// "in 3 of 12", never three groups, and an instance that failed is unknown, never quiet.
type Spread struct {
	// Kind is the source kind, e.g. alertmanager.
	Kind string `json:"kind"`
	// In are the instances (source names) the group fires in.
	In []string `json:"in"`
	// Of is how many instances of the kind were asked.
	Of int `json:"of"`
	// Unknown are the instances asked that failed: whether it fires there is unknown.
	Unknown []string `json:"unknown,omitempty"`
}

// String says where: "in 3 of 5 alertmanager instances (eu-west-1, eu-central-1, us-east-1;
// unknown in ap-south-1, which failed)".
func (s Spread) String() string {
	out := fmt.Sprintf("in %d of %d %s instances (%s", len(s.In), s.Of, s.Kind, strings.Join(instanceNames(s.In), ", "))
	if len(s.Unknown) > 0 {
		out += "; unknown in " + strings.Join(instanceNames(s.Unknown), ", ") + ", which failed"
	}
	return out + ")"
}

// Text is the spreads of a group in one phrase ("" when no kind has several instances).
func Text(sp []Spread) string {
	var parts []string
	for _, s := range sp {
		parts = append(parts, s.String())
	}
	return strings.Join(parts, ", ")
}

// instanceNames shortens source names to their instance (the unnamed one keeps its name).
func instanceNames(sources []string) []string {
	out := make([]string, len(sources))
	for i, s := range sources {
		out[i] = s
		if inst := model.SourceInstance(s); inst != "" {
			out[i] = inst
		}
	}
	return out
}

// Of returns, for each kind of the group's sources that was asked of several
// instances in this answer (st), where the group fires and where that is unknown. Kinds
// whose instances hold their own service records (catalog sources: a PagerDuty account)
// have none: the same service is in one of them, not spread across.
func Of(sources []string, st []model.SourceStatus, catalogs []string) []Spread {
	var out []Spread
	var kinds []string
	for _, s := range sources {
		k := model.SourceKind(s)
		if !slices.Contains(kinds, k) && !slices.ContainsFunc(catalogs, func(c string) bool { return model.SourceKind(c) == k }) {
			kinds = append(kinds, k)
		}
	}
	for _, kind := range kinds {
		sp := Spread{Kind: kind, In: []string{}}
		for _, s := range st {
			if model.SourceKind(s.Name) != kind || s.Status == model.StateDisabled || s.Status == model.StateSkipped {
				continue
			}
			sp.Of++
			switch {
			case slices.Contains(sources, s.Name):
				sp.In = append(sp.In, s.Name)
			case s.Status == model.StateError:
				sp.Unknown = append(sp.Unknown, s.Name)
			}
		}
		if sp.Of > 1 {
			out = append(out, sp)
		}
	}
	return out
}

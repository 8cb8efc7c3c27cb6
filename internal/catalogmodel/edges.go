package catalogmodel

import (
	"strings"

	"github.com/opsctx/opsctx/internal/model"
)

func (m *mapper) specEdges(e *Entity, id string) {
	ns := e.Metadata.Namespace
	for _, d := range e.SpecStrings("dependsOn") {
		m.edge(id, refID(d, "component", ns), DepDependsOn, "")
	}
	for _, d := range e.SpecStrings("dependencyOf") {
		m.edge(refID(d, "component", ns), id, DepDependsOn, "")
	}
	for _, a := range e.SpecStrings("providesApis") {
		if api := refID(a, "api", ns); api != "" {
			add(m.providers, api, id)
		}
	}
	for _, a := range e.SpecStrings("consumesApis") {
		if api := refID(a, "api", ns); api != "" {
			add(m.consumes, id, api)
		}
	}
}

// relations honours the relations the Backstage backend computes (REST API entities).
func (m *mapper) relations(e *Entity, id string) {
	for _, r := range e.Relations {
		to := refID(r.TargetRef, "component", DefaultNamespace)
		if to == "" {
			continue
		}
		switch strings.ToLower(r.Type) {
		case "dependson":
			m.edge(id, to, DepDependsOn, "")
		case "dependencyof":
			m.edge(to, id, DepDependsOn, "")
		case "providesapi":
			add(m.providers, to, id)
		case "apiprovidedby":
			add(m.providers, id, to)
		case "consumesapi":
			add(m.consumes, id, to)
		case "apiconsumedby":
			add(m.consumes, to, id)
		case "memberof":
			m.addMember(to, id)
		case "hasmember":
			m.addMember(id, to)
		}
	}
}

// apiEdges turns consumed APIs into consumer→provider edges.
func (m *mapper) apiEdges() {
	for consumer, apis := range m.consumes {
		for api := range apis {
			contract := ""
			if e := m.apis[api]; e != nil {
				contract = e.Metadata.Annotations[AnnotationContract]
			}
			provs := m.providers[api]
			if len(provs) == 0 {
				m.edge(consumer, api, DepAPI, contract)
			}
			for p := range provs {
				m.edge(consumer, p, DepAPI, contract)
			}
		}
	}
}

func (m *mapper) edge(from, to, kind, contract string) {
	if from == "" || to == "" || from == to {
		return
	}
	m.edges[[3]string{from, to, kind}] = model.Dependency{From: from, To: to, Kind: kind, Source: m.source, Contract: contract}
}

func add(set map[string]map[string]bool, k, v string) {
	if set[k] == nil {
		set[k] = map[string]bool{}
	}
	set[k][v] = true
}

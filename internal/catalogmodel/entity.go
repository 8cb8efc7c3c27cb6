package catalogmodel

import "strings"

// Entity is one Backstage catalog entity (envelope, metadata, free-form spec, relations).
type Entity struct {
	APIVersion string         `json:"apiVersion" yaml:"apiVersion"`
	Kind       string         `json:"kind" yaml:"kind"`
	Metadata   Metadata       `json:"metadata" yaml:"metadata"`
	Spec       map[string]any `json:"spec,omitempty" yaml:"spec,omitempty"`
	// Relations are computed by the Backstage backend; files normally have none.
	Relations []Relation `json:"relations,omitempty" yaml:"relations,omitempty"`
}

// Metadata is the entity metadata common to all kinds.
type Metadata struct {
	Name        string            `json:"name" yaml:"name"`
	Namespace   string            `json:"namespace,omitempty" yaml:"namespace,omitempty"`
	Title       string            `json:"title,omitempty" yaml:"title,omitempty"`
	Description string            `json:"description,omitempty" yaml:"description,omitempty"`
	UID         string            `json:"uid,omitempty" yaml:"uid,omitempty"`
	Labels      map[string]string `json:"labels,omitempty" yaml:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty" yaml:"annotations,omitempty"`
	Tags        []string          `json:"tags,omitempty" yaml:"tags,omitempty"`
	Links       []Link            `json:"links,omitempty" yaml:"links,omitempty"`
}

// Link is an external hyperlink of an entity (runbook, dashboard, docs).
type Link struct {
	URL   string `json:"url" yaml:"url"`
	Title string `json:"title,omitempty" yaml:"title,omitempty"`
	Icon  string `json:"icon,omitempty" yaml:"icon,omitempty"`
	Type  string `json:"type,omitempty" yaml:"type,omitempty"`
}

// Relation is a directed relation to another entity, e.g. {dependsOn, component:default/cart}.
type Relation struct {
	Type      string `json:"type" yaml:"type"`
	TargetRef string `json:"targetRef" yaml:"targetRef"`
}

// Ref returns the entity's own ref; an empty namespace means "default".
func (e Entity) Ref() Ref {
	ns := e.Metadata.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	return Ref{Kind: e.Kind, Namespace: ns, Name: e.Metadata.Name}
}

// SpecString returns spec[key] if it is a string, else "".
func (e Entity) SpecString(key string) string {
	s, _ := e.Spec[key].(string)
	return s
}

// SpecStrings returns the string items of the list spec[key]; other items are skipped.
func (e Entity) SpecStrings(key string) []string {
	return stringItems(e.Spec[key])
}

// SpecProfile returns spec.profile.displayName and spec.profile.email (Group, User).
func (e Entity) SpecProfile() (displayName, email string) {
	p, _ := e.Spec["profile"].(map[string]any)
	displayName, _ = p["displayName"].(string)
	email, _ = p["email"].(string)
	return displayName, email
}

// kindIs reports whether the entity kind is k, ignoring case.
func (e Entity) kindIs(k string) bool { return strings.EqualFold(e.Kind, k) }

func stringItems(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, it := range list {
		if s, ok := it.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

package catalogmodel

import (
	"fmt"
	"strings"
)

// DefaultNamespace is the namespace of entities and refs that name none.
const DefaultNamespace = "default"

// Ref identifies an entity. Refs compare case-insensitively: compare String() values.
type Ref struct {
	Kind, Namespace, Name string
}

// String returns the canonical lowercase form "kind:namespace/name".
func (r Ref) String() string {
	return strings.ToLower(r.Kind + ":" + r.Namespace + "/" + r.Name)
}

// ParseRef parses "kind:namespace/name", "kind:name", "namespace/name" or "name".
// A missing kind is defaultKind (an error if that is empty); a missing namespace is "default".
// Parts keep their case; use String to compare.
func ParseRef(s, defaultKind string) (Ref, error) {
	return ParseRefIn(s, defaultKind, DefaultNamespace)
}

// ParseRefIn is ParseRef with defaultNamespace for refs that name none, as Backstage
// resolves refs relative to the namespace of the entity that holds them.
func ParseRefIn(s, defaultKind, defaultNamespace string) (Ref, error) {
	t := strings.TrimSpace(s)
	colon := strings.IndexByte(t, ':')
	slash := strings.IndexByte(t, '/')
	if slash >= 0 && slash < colon {
		colon = -1 // "ns/name:x": the colon belongs to the name
	}
	r := Ref{Kind: defaultKind, Namespace: defaultNamespace, Name: t}
	if colon >= 0 {
		r.Kind, r.Name = t[:colon], t[colon+1:]
		if r.Kind == "" {
			return Ref{}, refError(s, "empty kind")
		}
	}
	if slash >= 0 {
		i := strings.IndexByte(r.Name, '/')
		r.Namespace, r.Name = r.Name[:i], r.Name[i+1:]
		if r.Namespace == "" {
			return Ref{}, refError(s, "empty namespace")
		}
	}
	switch {
	case r.Name == "":
		return Ref{}, refError(s, "empty name")
	case r.Kind == "":
		return Ref{}, refError(s, "no kind")
	}
	if r.Namespace == "" {
		r.Namespace = DefaultNamespace
	}
	return r, nil
}

func refError(s, why string) error {
	return fmt.Errorf("invalid entity ref %q: %s, want [kind:][namespace/]name", s, why)
}

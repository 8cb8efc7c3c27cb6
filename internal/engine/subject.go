package engine

import (
	"fmt"
	"strings"

	"github.com/opsctx/opsctx/internal/workspace"
)

// Subject is what a question starts from: a service name, or what a responder holds
// instead — an incident, problem, alert or change reference, a repository, a local
// checkout, a host. Exactly one is set.
type Subject struct {
	Service  string
	Incident string
	// Repo is a repository reference: owner/name, an https, ssh or scp-style URL, a URL
	// into a monorepo's folder or file.
	Repo string
	// Host is a host name, FQDN, IP address, Dynatrace HOST-… id or Kubernetes
	// namespace/workload.
	Host string
	// Checkout is what internal/workspace read at a local path: for stdio and the CLI only,
	// the engine itself never reads the disk.
	Checkout *workspace.Checkout
}

// Service is the subject for a service name.
func Service(name string) Subject { return Subject{Service: name} }

// Named reports whether the subject names a service (the answer then says nothing about
// how it was found).
func (s Subject) Named() bool { return s.Service != "" }

// Check refuses a subject that sets none or several of its fields, or a value longer than
// its argument's limit (see CheckArg).
func (s Subject) Check() error {
	var set []string
	for _, f := range []struct{ name, v string }{
		{"service", s.Service}, {"incident", s.Incident}, {"repo", s.Repo}, {"host", s.Host},
	} {
		if strings.TrimSpace(f.v) == "" {
			continue
		}
		if err := CheckArg(f.name, f.v); err != nil {
			return err
		}
		set = append(set, f.name)
	}
	if s.Checkout != nil {
		set = append(set, "path")
	}
	switch {
	case len(set) == 0:
		return inputErr(`give a service (e.g. "checkout"), or what you hold instead: an incident (INC0012345, P-2311, a PagerDuty or Opsgenie number), a repo (owner/name or its URL), a path in a checkout, or a host`)
	case len(set) > 1:
		return inputErr("give one of service, incident, repo, path or host, not several (%s)", strings.Join(set, ", "))
	}
	return nil
}

// InputError is a question the caller can fix: a missing, doubled or oversized argument.
type InputError struct{ msg string }

func (e *InputError) Error() string { return e.msg }

func inputErr(format string, args ...any) error { return &InputError{fmt.Sprintf(format, args...)} }

package connectors

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sourcegraph/conc/iter"
)

// Probe checks one capability an answer uses: a cheap authenticated read that the configured
// credentials may make only if they hold the permission the capability needs.
type Probe struct {
	// Capability names what the answer reads, e.g. "alerts", "table change_request".
	Capability string
	// Needs names the permission, role or scope the read takes, in the vendor's words
	// (e.g. "events.read", "Configuration access"); `check` names it when the read is refused.
	Needs string
	// Optional marks a capability whose loss degrades answers without failing them (people
	// named by id instead of name, on-call unavailable).
	Optional bool
	// Run makes the read.
	Run func(ctx context.Context) error
}

// Prober sources check each capability they serve; `check` prints one line per probe. A
// Prober's Check is CheckAll over its probes.
type Prober interface {
	Source
	Probes() []Probe
}

// ProbeResult is one probe's outcome.
type ProbeResult struct {
	Probe
	Err     error
	Latency time.Duration
}

// RunProbes runs the probes concurrently and returns their outcomes in order.
func RunProbes(ctx context.Context, probes []Probe) []ProbeResult {
	return iter.Mapper[Probe, ProbeResult]{MaxGoroutines: max(1, len(probes))}.Map(probes, func(p *Probe) ProbeResult {
		start := time.Now()
		err := p.Run(ctx)
		return ProbeResult{Probe: *p, Err: err, Latency: time.Since(start)}
	})
}

// CheckAll runs the probes concurrently and joins the failures of the required ones, each
// prefixed with its capability.
func CheckAll(ctx context.Context, probes []Probe) error {
	var errs []error
	for _, r := range RunProbes(ctx, probes) {
		if r.Err != nil && !r.Optional {
			errs = append(errs, fmt.Errorf("%s: %w", r.Capability, r.Err))
		}
	}
	return errors.Join(errs...)
}

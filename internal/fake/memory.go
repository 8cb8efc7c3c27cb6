package fake

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/model"
)

// Memory is an in-process source that implements every capability from fixed data, with
// optional delay, hang and error. The join's unit tests and scale benchmarks use it where
// HTTP is beside the point.
type Memory struct {
	SourceName string
	Cat        model.Catalog
	AlertList  []model.Alert
	Probs      []model.Problem
	Incs       []model.Incident
	Chgs       []model.Change
	Resp       model.Responders
	SLOList    []model.SLO
	MuteList   []model.Mute
	Found      *connectors.IncidentRef
	// Delay is added to every call; Hang blocks until ctx is done; Err fails every call.
	Delay time.Duration
	Hang  bool
	Err   error

	calls atomic.Int64
}

// Calls returns how many capability calls reached the source.
func (m *Memory) Calls() int64 { return m.calls.Load() }

func (m *Memory) wait(ctx context.Context) error {
	m.calls.Add(1)
	if m.Hang {
		<-ctx.Done()
		return ctx.Err()
	}
	if m.Delay > 0 {
		select {
		case <-time.After(m.Delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return m.Err
}

// Name implements connectors.Source.
func (m *Memory) Name() string { return m.SourceName }

// Check implements connectors.Source.
func (m *Memory) Check(ctx context.Context) error { return m.wait(ctx) }

// Catalog implements connectors.Catalog.
func (m *Memory) Catalog(ctx context.Context) (model.Catalog, error) { return m.Cat, m.wait(ctx) }

// Alerts implements connectors.Alerts.
func (m *Memory) Alerts(ctx context.Context, _ model.Target) ([]model.Alert, error) {
	return m.AlertList, m.wait(ctx)
}

// Problems implements connectors.Problems.
func (m *Memory) Problems(ctx context.Context, _ model.Target) ([]model.Problem, error) {
	return m.Probs, m.wait(ctx)
}

// Incidents implements connectors.Incidents.
func (m *Memory) Incidents(ctx context.Context, _ model.Target) ([]model.Incident, error) {
	return m.Incs, m.wait(ctx)
}

// Mutes implements connectors.Mutes.
func (m *Memory) Mutes(ctx context.Context, _ model.Target) ([]model.Mute, error) {
	return m.MuteList, m.wait(ctx)
}

// Changes implements connectors.Changes.
func (m *Memory) Changes(ctx context.Context, _ model.Target) ([]model.Change, error) {
	return m.Chgs, m.wait(ctx)
}

// Responders implements connectors.OnCall.
func (m *Memory) Responders(ctx context.Context, _ model.Target) (model.Responders, error) {
	return m.Resp, m.wait(ctx)
}

// FindIncident implements connectors.IncidentFinder.
func (m *Memory) FindIncident(ctx context.Context, ref string) (connectors.IncidentRef, error) {
	if err := m.wait(ctx); err != nil {
		return connectors.IncidentRef{}, err
	}
	if m.Found == nil || (m.Found.ID != ref) {
		return connectors.IncidentRef{}, connectors.ErrNotFound
	}
	return *m.Found, nil
}

// SLOs implements connectors.SLOs.
func (m *Memory) SLOs(ctx context.Context, _ model.Target) ([]model.SLO, error) {
	return m.SLOList, m.wait(ctx)
}

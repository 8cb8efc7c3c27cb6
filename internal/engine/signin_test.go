package engine_test

import (
	"context"
	"errors"
	"testing"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/fake"
	"github.com/opsctx/opsctx/internal/model"
)

// signer is a source that signs in, failing with err.
type signer struct {
	name  string
	err   error
	calls int
}

func (s *signer) Name() string                { return s.name }
func (s *signer) Check(context.Context) error { return nil }
func (s *signer) SignIn(context.Context) error {
	s.calls++
	return s.err
}

// TestSignIn: every source that signs in does so once, the others are not asked, a refusal
// is the source's error, and one with nothing to sign in with is left out.
func TestSignIn(t *testing.T) {
	ok, refused := &signer{name: "servicenow"}, &signer{name: "pagerduty", err: errors.New("HTTP 401: invalid_client")}
	asIs := &signer{name: "dynatrace", err: connectors.ErrNoSignIn}
	e := engine.New(engine.Options{Sources: []connectors.Source{&fake.Memory{SourceName: "catalogfile"}, ok, asIs, refused}})
	got := e.SignIn(context.Background())
	if len(got) != 2 || got[0].Name != "servicenow" || got[0].Status != model.StateOK ||
		got[1].Name != "pagerduty" || got[1].Status != model.StateError || got[1].Error != "HTTP 401: invalid_client" {
		t.Fatalf("statuses %+v", got)
	}
	if ok.calls != 1 || refused.calls != 1 || asIs.calls != 1 {
		t.Errorf("SignIn called %d, %d and %d times, want once each", ok.calls, refused.calls, asIs.calls)
	}
}

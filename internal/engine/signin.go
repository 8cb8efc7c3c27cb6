package engine

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/model"
)

// SignIn has every source that signs in (connectors.Authenticator: an OAuth token) do so
// now, concurrently and within the deadline, and returns the statuses of those that signed
// in or failed to, in source order (a source with nothing to sign in with is left out).
// The server calls it as it starts, beside loading the catalogs, so that the first question
// does not wait for a token; a source asked meanwhile joins the sign-in in flight.
func (e *Engine) SignIn(ctx context.Context) []model.SourceStatus {
	ctx, cancel := context.WithTimeout(ctx, e.o.Deadline)
	defer cancel()
	var auth []connectors.Authenticator
	for _, s := range e.o.Sources {
		if a, ok := s.(connectors.Authenticator); ok {
			auth = append(auth, a)
		}
	}
	out := make([]model.SourceStatus, len(auth))
	var wg sync.WaitGroup
	for i, a := range auth {
		wg.Go(func() {
			start := time.Now()
			err := a.SignIn(ctx)
			out[i] = model.SourceStatus{Name: a.Name(), Status: model.StateOK, LatencyMS: time.Since(start).Milliseconds()}
			switch {
			case errors.Is(err, connectors.ErrNoSignIn):
				out[i].Status = model.StateDisabled
			case err != nil:
				out[i].Status, out[i].Error = model.StateError, err.Error()
			}
		})
	}
	wg.Wait()
	return slices.DeleteFunc(out, func(s model.SourceStatus) bool { return s.Status == model.StateDisabled })
}

package engine

import (
	"context"
	"slices"

	"github.com/opsctx/opsctx/internal/fetch"
	"github.com/opsctx/opsctx/internal/model"
)

// envKey carries an answer's environment in its context.
type envKey struct{}

// Narrow returns ctx narrowing the answers asked with it to the source instances names
// names (see fetch.Environment), or a LookupError listing the instances when a name matches
// none.
func (e *Engine) Narrow(ctx context.Context, names []string) (context.Context, error) {
	env := fetch.Environment(names)
	if len(env) == 0 {
		return ctx, nil
	}
	var sources, instances []string
	for _, s := range e.o.Sources {
		sources = append(sources, s.Name())
		if inst := model.SourceInstance(s.Name()); inst != "" && !slices.Contains(instances, inst) {
			instances = append(instances, inst)
		}
	}
	if unknown := env.Unknown(sources); len(unknown) > 0 {
		return ctx, &LookupError{Query: unknown[0], What: "environment", Suggestions: append(instances, sources...)}
	}
	return context.WithValue(ctx, envKey{}, env), nil
}

// begin starts the fetching of one answer, narrowed to ctx's environment.
func (e *Engine) begin(ctx context.Context) *fetch.Round {
	r := e.f.Begin()
	if env, ok := ctx.Value(envKey{}).(fetch.Environment); ok {
		r.Within(env)
	}
	return r
}

package engine

import "github.com/opsctx/opsctx/internal/args"

// CheckArg refuses v when it is longer than the limit of the argument called name
// (args.Limits, shared by the tools and the CLI), as an InputError.
func CheckArg(name, v string) error {
	if err := args.Check(name, v); err != nil {
		return &InputError{err.Error()}
	}
	return nil
}

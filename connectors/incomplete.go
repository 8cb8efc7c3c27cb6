package connectors

import (
	"errors"
	"strings"
)

// Incomplete reports a listing read only in part: a page cap reached, a listing the API does
// not let a client page to its end. A connector returns it together with the values it did
// read, which are true but may not be all; the answer keeps them and says, in the source's
// status, that the listing may be incomplete and why.
type Incomplete struct {
	// What names the listing ("change events"); Why says what stopped it.
	What, Why string
}

// Error renders "<what> may be incomplete: <why>".
func (e *Incomplete) Error() string { return e.What + " may be incomplete: " + e.Why }

// Partial returns an *Incomplete for what, or nil when the listing was complete.
func Partial(complete bool, what, why string) error {
	if complete {
		return nil
	}
	return &Incomplete{What: what, Why: why}
}

// JoinIncomplete keeps err when it is a failure; it merges the reasons of Incomplete errors
// (errs of the listings one call made) into one, or returns nil when all were complete.
func JoinIncomplete(errs ...error) error {
	var whats, whys []string
	for _, err := range errs {
		var inc *Incomplete
		switch {
		case err == nil:
		case errors.As(err, &inc):
			whats, whys = append(whats, inc.What), append(whys, inc.Why)
		default:
			return err
		}
	}
	if len(whats) == 0 {
		return nil
	}
	if len(whats) == 1 {
		return &Incomplete{What: whats[0], Why: whys[0]}
	}
	return &Incomplete{What: joinUnique(whats), Why: joinUnique(whys)}
}

func joinUnique(xs []string) string {
	var out []string
	seen := map[string]bool{}
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return strings.Join(out, "; ")
}

// IsIncomplete reports whether err is (or wraps) an *Incomplete.
func IsIncomplete(err error) bool {
	var inc *Incomplete
	return errors.As(err, &inc)
}

//go:build !unix

package fake

import "errors"

// holdPort is not available here: Refuse leaves the port free.
func holdPort(string) (func(), error) { return nil, errors.New("fake: holding a port needs unix") }

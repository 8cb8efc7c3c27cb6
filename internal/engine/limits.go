package engine

// ArgLimits are the longest values, in bytes, that the text arguments of the tools and the
// CLI take; a longer value is refused before any work, with an error naming the limit.
// Arguments not listed take DefaultArgLimit.
var ArgLimits = map[string]int{
	"service":  256,
	"query":    256,
	"team":     256,
	"incident": 128,
	"repo":     2048,
	"path":     4096,
	"host":     320, // a 253-byte FQDN, or a 63-byte namespace / 253-byte workload
}

// DefaultArgLimit bounds a text argument ArgLimits does not list.
const DefaultArgLimit = 1024

// CheckArg refuses v when it is longer than the limit of the argument called name.
func CheckArg(name, v string) error {
	limit, ok := ArgLimits[name]
	if !ok {
		limit = DefaultArgLimit
	}
	if len(v) > limit {
		return inputErr("%s is %d bytes long; the limit is %d", name, len(v), limit)
	}
	return nil
}

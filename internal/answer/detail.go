package answer

import (
	"fmt"
	"strings"
)

// Detail is how much an answer says: brief (the headline and the top items), standard
// (the default) or full.
type Detail string

// Detail levels.
const (
	DetailBrief    Detail = "brief"
	DetailStandard Detail = "standard"
	DetailFull     Detail = "full"
)

// Details are the detail levels, smallest first.
var Details = []Detail{DetailBrief, DetailStandard, DetailFull}

// ParseDetail reads a detail level as a user or model gives it: "" means standard; an
// unknown level is an error that names the valid ones.
func ParseDetail(s string) (Detail, error) {
	switch d := Detail(strings.ToLower(strings.TrimSpace(s))); d {
	case "":
		return DetailStandard, nil
	case DetailBrief, DetailStandard, DetailFull:
		return d, nil
	}
	return "", fmt.Errorf("detail must be brief, standard or full, not %q", s)
}

// Items is how many items of each list an answer at this detail level keeps.
func (d Detail) Items() int {
	switch d {
	case DetailBrief:
		return 3
	case DetailFull:
		return 200
	}
	return 10
}

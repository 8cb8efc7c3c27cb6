// Package catalog holds the demo scenario's Backstage catalog: an online shop described
// in catalog-info.yaml documents (components, resources, API, system, teams, people).
package catalog

import "embed"

// FS holds the demo catalog files (*.yaml) at its root.
//
//go:embed *.yaml
var FS embed.FS

package demo

import (
	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/fake"
	bsfake "github.com/opsctx/opsctx/internal/fake/backstage"
)

func init() { register(config.SourceBackstage, startBackstage) }

// bsToken is the demo Backstage token (BACKSTAGE_TOKEN).
const bsToken = "demo-backstage-token"

// startBackstage serves the embedded demo catalog (the same catalog-info documents the
// catalogfile source reads) through the Backstage catalog fake and points cfg at it.
func startBackstage(s Scenario, cfg *config.Config) (*fake.Server, error) {
	entities, err := bsfake.LoadYAML(s.CatalogFS())
	if err != nil {
		return nil, err
	}
	s.edit(config.SourceBackstage, &entities)
	srv := bsfake.Start(entities, bsfake.Options{Token: bsToken})
	cfg.Sources.Backstage = []*config.Backstage{{URL: srv.URL, Token: config.Secret(bsToken)}}
	return srv.Server, nil
}

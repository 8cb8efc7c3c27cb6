package app

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/model"
)

// TestSnapshotWarmStart: an engine keeps each source's catalog and reference data on disk
// (one file per instance, mode 0600, no credential, no incident); a fresh engine on the same
// directory answers its first question from them — catalogs marked stale with their as_of,
// Opsgenie's on-call without listing its schedules again — and once the catalogs are read
// again the sources are ok.
func TestSnapshotWarmStart(t *testing.T) {
	ctx := context.Background()
	env, err := demo.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	dir := t.TempDir()
	o := Options{CatalogFS: env.CatalogFS, Logger: slog.New(slog.DiscardHandler), SnapshotDir: dir, OneShot: true}
	first := Engine(env.Config, o)
	if _, err := first.IncidentContext(ctx, engine.Query{Service: demo.Checkout}); err != nil {
		t.Fatal(err)
	}
	first.Close()

	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var kinds []string
	for _, f := range files {
		kinds = append(kinds, strings.Split(filepath.Base(f), "-")[0])
		fi, _ := os.Stat(f)
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", f, fi.Mode().Perm())
		}
		b, _ := os.ReadFile(f)
		for _, secret := range env.Config.Secrets() {
			if strings.Contains(string(b), secret) {
				t.Errorf("%s holds a configured secret", f)
			}
		}
		if strings.Contains(string(b), demo.SNIncident) {
			t.Errorf("%s holds incident %s", f, demo.SNIncident)
		}
	}
	// Catalog sources and the sources whose reference data the answer read; never the
	// local catalog files, nor Alertmanager, which keeps nothing.
	for _, want := range []string{"backstage", "dynatrace", "opsgenie", "pagerduty", "prometheus", "servicenow"} {
		if !slices.Contains(kinds, want) {
			t.Errorf("no snapshot of %s among %v", want, kinds)
		}
	}
	if slices.Contains(kinds, "catalogfile") || slices.Contains(kinds, "alertmanager") {
		t.Errorf("snapshots %v: want none of the catalog files or Alertmanager", kinds)
	}

	asOf := map[string]model.SourceStatus{}
	_, st := first.Directory(ctx)
	for _, s := range st {
		asOf[s.Name] = s
	}
	for _, s := range env.Servers {
		s.Reset()
	}
	second := Engine(env.Config, o)
	ans, err := second.IncidentContext(ctx, engine.Query{Service: demo.Checkout})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ans.Sources {
		if s.Name != "backstage" && s.Name != "servicenow" && s.Name != "pagerduty" && s.Name != "dynatrace" {
			continue
		}
		if s.Status != model.StateStale || !strings.Contains(s.Error, "snapshot") || !s.AsOf.Equal(asOf[s.Name].AsOf) {
			t.Errorf("%s: %s as of %v (%s); want stale from the snapshot as of %v", s.Name, s.Status, s.AsOf, s.Error, asOf[s.Name].AsOf)
		}
	}
	if ans.Service.Name != demo.Checkout || len(ans.OnCall) == 0 {
		t.Errorf("answer from the snapshot: service %q, %d on call", ans.Service.Name, len(ans.OnCall))
	}
	for _, r := range env.Servers["opsgenie"].Requests() {
		if r.Path == "/v2/schedules" || r.Path == "/v2/escalations" {
			t.Errorf("opsgenie: GET %s; the snapshot has the listing", r.Path)
		}
	}
	second.Close() // waits for the catalogs read again
	_, st = second.Directory(ctx)
	for _, s := range st {
		if s.Status != model.StateOK {
			t.Errorf("after the refresh: %s %s (%s), want ok", s.Name, s.Status, s.Error)
		}
	}
}

// TestKeepersRoundTrip: what each source keeps, taken back by a fresh source of the same
// configuration, is kept the same.
func TestKeepersRoundTrip(t *testing.T) {
	ctx := context.Background()
	env, err := demo.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	o := Options{CatalogFS: env.CatalogFS, Logger: slog.New(slog.DiscardHandler)}
	e := Engine(env.Config, o)
	e.Directory(ctx) // catalogs, and the warmers
	if _, err := e.IncidentContext(ctx, engine.Query{Service: demo.Checkout}); err != nil {
		t.Fatal(err)
	}
	e.Close()
	fresh, _ := Sources(env.Config, o)
	n := 0
	for i, s := range e.Sources() {
		k, ok := s.(connectors.Keeper)
		if !ok {
			continue
		}
		n++
		b, err := k.Kept()
		if err != nil || len(b) < 10 {
			t.Errorf("%s: Kept = %s, %v; want what it read", s.Name(), b, err)
			continue
		}
		f := fresh[i].(connectors.Keeper)
		if err := f.Keep(b); err != nil {
			t.Errorf("%s: Keep: %v", s.Name(), err)
			continue
		}
		if again, _ := f.Kept(); string(again) != string(b) {
			t.Errorf("%s: kept after Keep:\n%s\nwant\n%s", s.Name(), again, b)
		}
	}
	if n < 6 {
		t.Errorf("%d keepers, want servicenow, pagerduty, opsgenie, jsm, dynatrace and prometheus", n)
	}
}

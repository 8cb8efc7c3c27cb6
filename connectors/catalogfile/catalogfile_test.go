package catalogfile

import (
	"context"
	"strings"
	"testing"

	"github.com/opsctx/opsctx/connectors"
)

func TestSource(t *testing.T) {
	tests := []struct {
		name     string
		opts     Options
		wantErr  string // for both Check and Catalog
		services int
	}{
		{"ok", Options{FS: mapFS(map[string]string{"a.yaml": checkoutDoc + "---\n" + cartDoc})}, "", 2},
		{"no paths", Options{}, "no catalog paths configured", 0},
		{"no entities", Options{FS: mapFS(map[string]string{"a.yaml": "# empty\n", "b.yaml": location("x", "a.yaml")}), Paths: []string{"a.yaml", "b.yaml"}},
			"no catalog entities found in a.yaml, b.yaml", 0},
		{"invalid document fails the source", Options{FS: mapFS(map[string]string{"a.yaml": cartDoc + "---\n" + strings.Replace(checkoutDoc, "  owner: team-checkout\n", "", 1)})},
			`a.yaml: document 2 (Component "checkout"): spec.owner: required`, 0},
		{"unreadable path", Options{FS: mapFS(nil), Paths: []string{"catalog"}}, "open catalog: file does not exist", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s connectors.Catalog = New(tt.opts)
			if s.Name() != "catalogfile" {
				t.Errorf("Name() = %q", s.Name())
			}
			checkErr := s.Check(context.Background())
			cat, catErr := s.Catalog(context.Background())
			for what, err := range map[string]error{"Check": checkErr, "Catalog": catErr} {
				if tt.wantErr == "" && err != nil {
					t.Errorf("%s: %v", what, err)
				}
				if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
					t.Errorf("%s error = %v, want it to contain %q", what, err, tt.wantErr)
				}
			}
			if len(cat.Services) != tt.services {
				t.Errorf("services = %d, want %d", len(cat.Services), tt.services)
			}
			for _, svc := range cat.Services {
				if svc.Source != "catalogfile" {
					t.Errorf("service %s has source %q", svc.ID, svc.Source)
				}
			}
		})
	}
}

package config

import (
	"strings"
	"testing"
)

// TestServiceNowParallel: how many requests of one ServiceNow listing run at once comes from
// SERVICENOW_PARALLEL or sources.servicenow.parallel (default 8, at most 32).
func TestServiceNowParallel(t *testing.T) {
	base := map[string]string{"SERVICENOW_INSTANCE_URL": "https://acme.service-now.com", "SERVICENOW_TOKEN": "t"}
	tests := []struct {
		name, yaml, env string
		want            int
		err             string
	}{
		{name: "default", want: DefaultServiceNowParallel},
		{name: "env", env: "12", want: 12},
		{name: "file", yaml: "sources:\n  servicenow: {url: https://acme.service-now.com, token: t, parallel: 8}\n", want: 8},
		{name: "too many", env: "64", err: "SERVICENOW_PARALLEL must be between 1 and 32"},
		{name: "negative", yaml: "sources:\n  servicenow: {url: https://acme.service-now.com, token: t, parallel: -1}\n", err: "sources.servicenow.parallel must be between 1 and 32"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			if tc.yaml == "" {
				for k, v := range base {
					env[k] = v
				}
			}
			if tc.env != "" {
				env["SERVICENOW_PARALLEL"] = tc.env
			}
			c, err := load(t, tc.yaml, env)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Sources.ServiceNow[0].Parallel; got != tc.want {
				t.Errorf("parallel = %d, want %d", got, tc.want)
			}
		})
	}
}

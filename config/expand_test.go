package config

import (
	"slices"
	"strings"
	"testing"
)

func TestExpandVars(t *testing.T) {
	env := envMap(map[string]string{"A": "alpha", "B_2": "beta", "EMPTY": ""})
	tests := []struct {
		in        string
		want      string
		wantNames []string
		wantErr   string
	}{
		{in: "plain", want: "plain"},
		{in: "${A}", want: "alpha", wantNames: []string{"A"}},
		{in: "x-${A}-${B_2}-y", want: "x-alpha-beta-y", wantNames: []string{"A", "B_2"}},
		{in: "$$", want: "$"},
		{in: "$${A}", want: "${A}"},
		{in: "p$ss$", want: "p$ss$"},
		{in: "$A", want: "$A"},
		{in: "${EMPTY}", want: "", wantNames: []string{"EMPTY"}},
		{in: "${A", wantErr: "unterminated"},
		{in: "${}", wantErr: "invalid variable name"},
		{in: "${1A}", wantErr: "invalid variable name"},
		{in: "${A-B}", wantErr: "invalid variable name"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, names, err := expandVars(tc.in, env)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want || !slices.Equal(names, tc.wantNames) {
				t.Errorf("got %q %v, want %q %v", got, names, tc.want, tc.wantNames)
			}
		})
	}
}

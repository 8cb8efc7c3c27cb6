package catalogmodel

import (
	"strings"
	"testing"
)

func TestParseRef(t *testing.T) {
	tests := []struct {
		in, defaultKind string
		want            Ref
		wantStr         string
		wantErr         string
	}{
		{in: "component:default/checkout", want: Ref{"component", "default", "checkout"}, wantStr: "component:default/checkout"},
		{in: "Group:Ops/Team-A", defaultKind: "user", want: Ref{"Group", "Ops", "Team-A"}, wantStr: "group:ops/team-a"},
		{in: "resource:orders-db", want: Ref{"resource", "default", "orders-db"}, wantStr: "resource:default/orders-db"},
		{in: "team-checkout", defaultKind: "group", want: Ref{"group", "default", "team-checkout"}, wantStr: "group:default/team-checkout"},
		{in: "ops/team-a", defaultKind: "group", want: Ref{"group", "ops", "team-a"}, wantStr: "group:ops/team-a"},
		{in: "  user:jdoe \n", want: Ref{"user", "default", "jdoe"}, wantStr: "user:default/jdoe"},
		{in: "ns/name:with-colon", defaultKind: "component", want: Ref{"component", "ns", "name:with-colon"}, wantStr: "component:ns/name:with-colon"},
		{in: "", defaultKind: "component", wantErr: "empty name"},
		{in: "checkout", wantErr: "no kind"},
		{in: ":checkout", defaultKind: "component", wantErr: "empty kind"},
		{in: "component:/checkout", wantErr: "empty namespace"},
		{in: "component:default/", wantErr: "empty name"},
		{in: "component:", wantErr: "empty name"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRef(tt.in, tt.defaultKind)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseRef(%q) error = %v, want it to contain %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRef(%q): %v", tt.in, err)
			}
			if got != tt.want || got.String() != tt.wantStr {
				t.Errorf("ParseRef(%q) = %+v (%s), want %+v (%s)", tt.in, got, got, tt.want, tt.wantStr)
			}
		})
	}
}

func TestParseRefInNamespace(t *testing.T) {
	tests := []struct{ in, want string }{
		{"team-a", "group:ops/team-a"},
		{"default/team-a", "group:default/team-a"},
		{"user:jdoe", "user:ops/jdoe"},
	}
	for _, tt := range tests {
		r, err := ParseRefIn(tt.in, "group", "ops")
		if err != nil || r.String() != tt.want {
			t.Errorf("ParseRefIn(%q) = %s, %v; want %s", tt.in, r, err, tt.want)
		}
	}
}

func FuzzParseRef(f *testing.F) {
	for _, s := range []string{"component:default/checkout", "checkout", "ns/name", "k:", ":", "/", "a:b/c/d", "x/y:z", " group:Ops/Team "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRef(s, "component")
		if err != nil {
			return
		}
		if r.Kind == "" || r.Namespace == "" || r.Name == "" {
			t.Fatalf("ParseRef(%q) = %+v with an empty part", s, r)
		}
		again, err := ParseRef(r.String(), "other")
		if err != nil || again.String() != r.String() {
			t.Fatalf("ParseRef(%q).String() = %q does not round-trip: %+v, %v", s, r.String(), again, err)
		}
	})
}

package sanitize

import (
	"strings"
	"testing"
	"time"
)

func TestInline(t *testing.T) {
	tests := []struct{ in, want string }{
		{"disk full on db-1", "disk full on db-1"},
		{"# Heading", `\# Heading`},
		{"- item", `\- item`},
		{"12. item", `\12. item`},
		{"| a | b |", `\| a | b |`},
		{"> quote", `\> quote`},
		{"see [docs](http://evil)", "see [docs] (http://evil)"},
		{"![x](http://evil/t.png)", "! [x] (http://evil/t.png)"},
		{`<img src=x onerror=alert(1)>`, `‹img src=x onerror=alert(1)>`},
		{"a < b and c<2", "a < b and c<2"},
		{"run `rm -rf`", "run 'rm -rf'"},
		{"```fence", `'''fence`},
		{"p95 > 2s", "p95 > 2s"},
		{"-1", "-1"}, {"#tag", "#tag"}, {"2.5 ms", "2.5 ms"}, {"---", `\---`}, {"~~~x", `\~~~x`}, {"##", `\##`},
	}
	for _, tt := range tests {
		if got := Inline(tt.in); got != tt.want {
			t.Errorf("Inline(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

type rec struct {
	Name        string
	Title       string
	Description string
	RunbookURL  string
	SLI         string
	ID          string
	Labels      map[string]string
	Tags        []string
	At          time.Time
	Inner       *rec
	Count       int
	hidden      string
}

func TestRecord(t *testing.T) {
	orig := []rec{{
		Name: "team\n# Heading", Title: "a\u202Eb" + strings.Repeat("x", 500), Description: strings.Repeat("d", 2000),
		RunbookURL: "https://x.example/a_b`c", SLI: "sum(rate(x{job=~`a|b`}[5m]))", ID: "P1\x1b[31m",
		Labels: map[string]string{"team\u200B": "<img onerror=x>"}, Tags: []string{"ok", "`t`"},
		Inner: &rec{Name: "- inner"}, hidden: "raw\n",
	}}
	before := orig[0]
	got := Record(orig)
	r := got[0]
	for _, c := range []struct{ name, got, want string }{
		{"Name", r.Name, `team # Heading`},
		{"SLI", r.SLI, before.SLI},
		{"ID", r.ID, "P1[31m"},
		{"RunbookURL", r.RunbookURL, "https://x.example/a_b%60c"},
		{"Inner.Name", r.Inner.Name, `\- inner`},
		{"Tags[1]", r.Tags[1], "'t'"},
		{"Labels", r.Labels["team"], "‹img onerror=x>"},
		{"hidden", r.hidden, "raw\n"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if n := len([]rune(r.Title)); n != NameMax+1 || strings.ContainsRune(r.Title, '\u202E') {
		t.Errorf("Title %d characters: %q", n, r.Title)
	}
	if n := len([]rune(r.Description)); n != TextMax+1 {
		t.Errorf("Description %d characters", n)
	}
	if orig[0].Name != before.Name || orig[0].Inner.Name != "- inner" || orig[0].Labels["team\u200B"] == "" {
		t.Error("Record changed its argument")
	}
	clean := []rec{{Name: "checkout", Tags: []string{"a"}}}
	if out := Record(clean); &out[0] != &clean[0] {
		t.Error("a clean record was copied")
	}
}

func TestLink(t *testing.T) {
	for in, want := range map[string]string{
		"https://grafana.example/d/x?a=1": "https://grafana.example/d/x?a=1",
		"javascript:alert(1)":             "",
		"HTTP://x.example/a b](c)":        "HTTP://x.example/a%20b%5D%28c%29",
		"# H1PWN":                         "",
	} {
		if got := Link(in); got != want {
			t.Errorf("Link(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkRecordClean(b *testing.B) {
	xs := make([]rec, 1000)
	for i := range xs {
		xs[i] = rec{Name: "svc-00042", Title: "Checkout Service", Description: "Takes the orders.", RunbookURL: "https://runbooks.example/checkout", Tags: []string{"tier-1"}}
	}
	b.ReportAllocs()
	for b.Loop() {
		Record(xs)
	}
}

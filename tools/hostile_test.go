package tools

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/answer/find"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/fake"
	"github.com/opsctx/opsctx/internal/sanitize"
)

// hostileEngine is an engine over one source that knows everything (catalog, alerts,
// problems, incidents, changes, on-call, SLOs, silences) and whose every record holds h in
// every string field (names, ids, titles, people, notes, labels, links), and one that fails
// with h as its error.
func hostileEngine(h string) *engine.Engine {
	now := time.Now()
	m := &fake.Memory{SourceName: "catalogfile"}
	for _, p := range []any{&m.Cat, &m.AlertList, &m.Probs, &m.Incs, &m.Chgs, &m.Resp, &m.SLOList, &m.MuteList} {
		fill(reflect.ValueOf(p).Elem(), h, now, 0)
	}
	failing := &fake.Memory{SourceName: "dynatrace", Err: errors.New(h)} // its error is upstream text too
	return engine.New(engine.Options{Sources: []connectors.Source{m, failing}})
}

var timeType = reflect.TypeFor[time.Time]()

// fill sets every plain string of v to h (typed strings, the vendor-neutral enums, stay
// valid), every time to a quarter of an hour ago, and gives every slice and map one entry.
func fill(v reflect.Value, h string, now time.Time, depth int) {
	if depth > 6 || !v.CanSet() {
		return
	}
	switch v.Kind() {
	case reflect.String:
		if v.Type() == reflect.TypeFor[string]() {
			v.SetString(h)
		}
	case reflect.Struct:
		if v.Type() == timeType {
			v.Set(reflect.ValueOf(now.Add(-15 * time.Minute)))
			return
		}
		for i := range v.NumField() {
			fill(v.Field(i), h, now, depth+1)
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), h, now, depth+1)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, h, now, depth+1)
		fill(e, h, now, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), h, now, depth+1)
		v.Set(p)
	case reflect.Float64:
		v.SetFloat(0.5)
	}
}

// hostileSeeds are upstream strings that try every way out of a quoted field.
var hostileSeeds = []string{
	"checkout",
	"team X\n# H1PWN heading\n- L1PWN item\n> Q1PWN quote",
	"# H1PWN",
	"| T1PWN | x |\n|---|---|",
	"```F1PWN\ncode\n```",
	"<img src=x onerror=alert(1)>I1PWN",
	"see [K1PWN](http://evil.example) and ![M1PWN](http://evil.example/t.png)",
	"`B1PWN` and ``",
	"esc\x1b[31mred\x1b[0m bidi\u202Egnp.exe\u202C zero\u200Bwidth\uFEFF tag\U000E0041 bell\a nul\x00",
	"1. O1PWN ordered",
	strings.Repeat("A", 300) + "\n## H1PWN",
	strings.Repeat("long ", 200_000), // 1 MB
}

// upstreamBlock is a line on which a marked seed's text (H1PWN, L1PWN...) opens a markdown
// block: right after the renderer's own marker (a heading or list item), or at the start of
// the line with a marker the renderer never writes there (quote, table row, fence).
var upstreamBlock = regexp.MustCompile(`^\s*(?:(?:#{1,6} |[-*+] |\d+\. )(?:#{1,6} |> ?|[-*+] |\d{1,9}[.)] |\| ?|` + "```" + `|~~~)|> ?|\| ?|` + "```" + `|~~~)[A-Z]\dPWN`)

// FuzzHostileUpstream feeds a hostile string into every field of every record of a source
// that knows everything, asks every tool (incident_context at every detail level) about the
// service it names, and checks both channels: no control, invisible or BiDi character, no
// markdown block, HTML tag, link, image or code span started by upstream text, and every
// string within its cap.
func FuzzHostileUpstream(f *testing.F) {
	for _, s := range hostileSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		d := Deps{Engine: hostileEngine(h)}
		service := "x"
		list := call(t, d, "find_service", map[string]any{"query": "*"})
		check(t, "find_service *", list)
		if r, ok := list.StructuredContent.(*find.Result); ok && len(r.Candidates) > 0 {
			service = r.Candidates[0].Name
		}
		calls := []struct {
			tool string
			args map[string]any
		}{
			{"incident_context", map[string]any{"service": service, "detail": "brief"}},
			{"incident_context", map[string]any{"service": service, "detail": "standard"}},
			{"incident_context", map[string]any{"service": service, "detail": "full"}},
			{"what_changed", map[string]any{"service": service}},
			{"who_owns", map[string]any{"service": service}},
			{"blast_radius", map[string]any{"service": service}},
			{"active_issues", map[string]any{}},
			{"boundary_audit", map[string]any{}},
			{"find_service", map[string]any{"query": service}},
		}
		for _, c := range calls {
			check(t, fmt.Sprint(c.tool, " ", c.args["detail"]), call(t, d, c.tool, c.args))
		}
	})
}

// check asserts what FuzzHostileUpstream promises of one tool result.
func check(t *testing.T, what string, res *mcp.CallToolResult) {
	t.Helper()
	md := text(res)
	if !res.IsError && res.StructuredContent == nil {
		t.Fatalf("%s: no structured content", what)
	}
	raw, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	walkStrings(tree, func(s string) {
		if r, ok := forbidden(s, false); ok {
			t.Errorf("%s: structured content holds %U in %.80q", what, r, s)
		}
		if n := utf8.RuneCountInString(s); n > 4*sanitize.QueryMax {
			t.Errorf("%s: a structured string of %d characters", what, n)
		}
	})
	if r, ok := forbidden(md, true); ok {
		t.Errorf("%s: markdown holds %U", what, r)
	}
	if len(md) > 256<<10 {
		t.Errorf("%s: markdown of %d bytes", what, len(md))
	}
	for _, line := range strings.Split(md, "\n") {
		if upstreamBlock.MatchString(line) {
			t.Errorf("%s: upstream text starts a markdown block: %.120q", what, line)
		}
	}
	for _, channel := range []string{md, string(raw)} {
		for _, bad := range []string{"`", "](", "![", "<img", "<IMG", "<a ", "<script"} {
			if strings.Contains(channel, bad) {
				i := strings.Index(channel, bad)
				t.Errorf("%s: %q in %.120q", what, bad, channel[max(0, i-40):])
				break
			}
		}
	}
}

// forbidden returns the first rune of s that no answer may hold: a control character
// (newline allowed in markdown), a format character (zero-width, BiDi), private use, a tag
// character or an invalid byte.
func forbidden(s string, markdown bool) (rune, bool) {
	for _, r := range s {
		switch {
		case r == '\n' && markdown:
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Co, r), r == utf8.RuneError,
			r >= 0xE0000 && r <= 0xE007F:
			return r, true
		}
	}
	return 0, false
}

func walkStrings(v any, f func(string)) {
	switch x := v.(type) {
	case string:
		f(x)
	case []any:
		for _, e := range x {
			walkStrings(e, f)
		}
	case map[string]any:
		for k, e := range x {
			f(k)
			walkStrings(e, f)
		}
	}
}

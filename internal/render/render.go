// Package render turns structured answers into compact markdown for the text content of
// tool results and for `opsctx context`. Upstream text is always quoted, never bare.
package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/find"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/timeutil"
)

// linksAndNotes appends the runbook and note sections shared by several answers.
func linksAndNotes(b *strings.Builder, links []model.Link, notes []string) {
	section(b, "Runbooks and links", len(links), 0, func() {
		for _, l := range links {
			fmt.Fprintf(b, "- %q %s\n", first(l.Title, l.URL), l.URL)
		}
	})
	section(b, "Notes", len(notes), 0, func() {
		for _, n := range notes {
			fmt.Fprintf(b, "- %s\n", n)
		}
	})
}

// Sources appends the per-source status line.
func Sources(b *strings.Builder, st []answer.SourceEntry) {
	b.WriteString("Sources: ")
	for i, s := range st {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "%s %s", s.Name, s.Status)
		if s.Status != model.StateDisabled && s.Status != model.StateSkipped {
			fmt.Fprintf(b, " %dms", s.LatencyMS)
		}
		if s.Error != "" {
			fmt.Fprintf(b, " (%s)", s.Error)
		}
	}
	b.WriteString("\n")
}

// FindService renders find_service.
func FindService(r *find.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Find %s\n\n%s\n\n", find.Query(r), r.Headline)
	for i, c := range r.Candidates {
		if i > 0 && !c.Exact && r.Candidates[i-1].Exact {
			b.WriteString("Also:\n")
		}
		fmt.Fprintf(&b, "- %s", c.Name)
		if c.Title != "" && c.Title != c.Name {
			fmt.Fprintf(&b, " (%q)", c.Title)
		}
		fmt.Fprintf(&b, " owner %s — matched by %s", first(c.OwnerTeam, "unknown"), c.MatchedBy)
		var recs []string
		for _, m := range c.Records {
			recs = append(recs, fmt.Sprintf("%s %q via %s", m.Source, m.Name, m.Method))
		}
		if len(recs) > 0 {
			fmt.Fprintf(&b, "; records: %s", strings.Join(recs, "; "))
		}
		b.WriteString("\n")
	}
	for _, u := range r.Unmerged {
		fmt.Fprintf(&b, "- not merged: %s record %q matches %s by %s\n", u.Source, u.Record, strings.Join(u.Candidates, ", "), u.Method)
	}
	if r.Listing != nil && r.Listing.NextOffset != nil {
		fmt.Fprintf(&b, "More: ask again with offset %d.\n", *r.Listing.NextOffset)
	}
	Sources(&b, r.Sources)
	return b.String()
}

func section(b *strings.Builder, name string, n, omitted int, body func()) {
	if n == 0 {
		return
	}
	fmt.Fprintf(b, "## %s\n", name)
	body()
	if omitted > 0 {
		fmt.Fprintf(b, "- … %d more not shown (use detail=full)\n", omitted)
	}
	b.WriteString("\n")
}

func title(s answer.ServiceRef) string {
	if s.Title != "" && s.Title != s.Name {
		return fmt.Sprintf("%s (%s)", s.Title, s.Name)
	}
	return s.Name
}

// ts writes a time as RFC 3339 in UTC, or nothing for an unknown time.
func ts(t time.Time) string { return timeutil.RFC3339(t) }

func link(u string) string {
	if u == "" {
		return ""
	}
	return " " + u
}

func first(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

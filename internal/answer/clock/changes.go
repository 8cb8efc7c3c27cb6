package clock

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/sanitize"
)

// changeRecordKind is the Kind of ITSM change records (ServiceNow change requests).
const changeRecordKind = "change_request"

// matchWindow is how close a deploy/config event must be to a change record's window to be
// the same change.
const matchWindow = 30 * time.Minute

// correlated is a change with what correlation learnt about it.
type correlated struct {
	model.Change
	// confirmedBy names the sources whose telemetry saw this change record happen.
	confirmedBy []string
	// values are what the change's events say it did (a record's from the events folded into it).
	values []answer.ChangeValues
	// risks are the risk flags of the events folded into a record ("root-cause relevant per
	// Dynatrace"): the record's change carries them.
	risks []string
	// noRecord is set on a deploy or config event that no change record covers, when some
	// source keeps change records.
	noRecord bool
}

// correlateChanges folds deploy and config events that match a change record into that
// record: the one the event names (RecordRef), else one on the same service whose window
// the event falls in. The rest are marked as having no change record when some source keeps
// change records at all and the event names none. Input order does not matter; output is
// sorted by time.
func correlateChanges(d *directory.Directory, cs []model.Change) []correlated {
	var records, events []model.Change
	for _, c := range cs {
		if c.Kind == changeRecordKind {
			records = append(records, c)
		} else {
			events = append(events, c)
		}
	}
	out := make([]correlated, 0, len(cs))
	seenBy := make([][]string, len(records))
	values := make([][]answer.ChangeValues, len(records))
	risks := make([][]string, len(records))
	for _, ev := range events {
		matched := recordOf(d, ev, records)
		switch {
		case matched >= 0:
			seenBy[matched] = answer.AppendUnique(seenBy[matched], ev.Source)
			values[matched] = appendValues(values[matched], ev)
			for _, r := range ev.Risk {
				risks[matched] = answer.AppendUnique(risks[matched], r)
			}
		default:
			out = append(out, correlated{Change: ev, values: appendValues(nil, ev),
				noRecord: len(records) > 0 && ev.RecordRef == "" && (ev.Kind == "deploy" || ev.Kind == "config")})
		}
	}
	for i, r := range records {
		out = append(out, correlated{Change: r, confirmedBy: seenBy[i], values: values[i], risks: risks[i]})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// recordOf is the index of the change record ev belongs to in records, or -1: the record ev
// names, else the first on ev's service whose window (widened by matchWindow) holds ev.
func recordOf(d *directory.Directory, ev model.Change, records []model.Change) int {
	if ev.RecordRef != "" {
		if i := slices.IndexFunc(records, func(r model.Change) bool { return strings.EqualFold(r.ID, ev.RecordRef) }); i >= 0 {
			return i
		}
	}
	svc := fold(d.Canonical(ev.Source, ev.Service))
	for i, r := range records {
		if fold(d.Canonical(r.Source, r.Service)) != svc {
			continue
		}
		end := r.EndAt
		if end.IsZero() || end.Before(r.At) {
			end = r.At
		}
		if !ev.At.Before(r.At.Add(-matchWindow)) && !ev.At.After(end.Add(matchWindow)) {
			return i
		}
	}
	return -1
}

// appendValues adds what ev says it did, when it says anything.
func appendValues(vs []answer.ChangeValues, ev model.Change) []answer.ChangeValues {
	if ev.Setting == "" && ev.Before == "" && ev.After == "" {
		return vs
	}
	return append(vs, answer.ChangeValues{Source: ev.Source, Event: ev.ID, Setting: ev.Setting, Before: ev.Before, After: ev.After})
}

// BackoutDoubt is a doubt about a change record's backout plan, quoting both texts, when an
// event of the change says it set a value the plan names while the plan never names the
// value it replaced: run as written, the plan may set the new value again. Nil when there
// is no plan, no before and after to compare, or the plan names the old value too.
func BackoutDoubt(plan string, vs []answer.ChangeValues) *answer.BackoutDoubt {
	for _, v := range vs {
		if plan == "" || v.Before == "" || v.After == "" || strings.EqualFold(v.Before, v.After) ||
			!names(plan, v.After) || names(plan, v.Before) {
			continue
		}
		text := fmt.Sprintf("the backout plan may restore the new value %q, not the old %q: the plan says %q; %s's event says %s",
			v.After, v.Before, sanitize.Text(plan, 200), v.Source, v.Text())
		return &answer.BackoutDoubt{Text: text, New: v.After, Old: v.Before}
	}
	return nil
}

// names reports whether text names value as a word of its own: case-insensitive, with no
// letter or digit right before or after it (30s is in "= '30s';", 0s is not).
func names(text, value string) bool {
	t, v := strings.ToLower(text), strings.ToLower(value)
	for i := 0; ; {
		j := strings.Index(t[i:], v)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(v)
		if (j == 0 || !wordRune(t[:j], true)) && (end == len(t) || !wordRune(t[end:], false)) {
			return true
		}
		i = j + 1
	}
}

// wordRune reports whether the rune at the end (last) or start of s is a letter or digit.
func wordRune(s string, last bool) bool {
	var r rune
	if last {
		r, _ = utf8.DecodeLastRuneInString(s)
	} else {
		r, _ = utf8.DecodeRuneInString(s)
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

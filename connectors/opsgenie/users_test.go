package opsgenie

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/fake"
	ogfake "github.com/opsctx/opsctx/internal/fake/opsgenie"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/testkit/reqcontract"
)

// usersSource is a Source for srv with the user page size and bound, logging into a buffer.
func usersSource(t *testing.T, srv *fake.Server, pageSize, maxUserPages int) (*Source, *bytes.Buffer) {
	t.Helper()
	c := httpx.New(httpx.Options{Source: SourceName, BaseURL: srv.URL, Auth: Auth(testKey), Secrets: []string{testKey},
		RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond})
	t.Cleanup(c.CloseIdleConnections)
	var log bytes.Buffer
	return New(Options{Client: c, PageSize: pageSize, MaxUserPages: maxUserPages, Now: func() time.Time { return t0 },
		Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))}), &log
}

// TestResponderNames: on-call people and users in the escalation carry their full name from
// the user listing and, when their username is an e-mail, that e-mail; anyone the listing
// does not name keeps the username; only user participants are people. A refused listing
// (403) still gives the answer, by username, with nothing above a debug log.
func TestResponderNames(t *testing.T) {
	without := func(username string) func(*ogfake.Data) {
		return func(d *ogfake.Data) {
			d.Users = slices.DeleteFunc(d.Users, func(u ogfake.User) bool { return u.Username == username })
		}
	}
	tests := []struct {
		name      string
		edit      func(*ogfake.Data)
		fault     *fake.Fault
		sam, lena string // expected names
		debugLog  string // in the log at debug level, if anything
	}{
		{name: "full names with the e-mail", sam: "Sam Okafor", lena: "Lena Fischer"},
		{name: "a user missing from the listing keeps the username", edit: without("lena"), sam: "Sam Okafor", lena: "lena"},
		{name: "a user without a full name keeps the username", edit: func(d *ogfake.Data) { d.Users[0].FullName = "" },
			sam: "sam@example.com", lena: "Lena Fischer"},
		{name: "usernames compare case-insensitively", edit: func(d *ogfake.Data) { d.Users[0].Username = "Sam@Example.com" },
			sam: "Sam Okafor", lena: "Lena Fischer"},
		{name: "no users", edit: func(d *ogfake.Data) { d.Users = nil }, sam: "sam@example.com", lena: "lena"},
		{name: "team and escalation participants are not people", edit: func(d *ogfake.Data) {
			d.OnCall["S1"] = append(d.OnCall["S1"], ogfake.Participant{ID: "T1", Name: "amy@example.com", Type: "team"},
				ogfake.Participant{ID: "E5", Name: "bob@example.com", Type: "escalation"})
		}, sam: "Sam Okafor", lena: "Lena Fischer"},
		{name: "users refused", fault: &fake.Fault{PathPrefix: "/v2/users", Status: 403, Body: `{"message":"You are not authorized to list users","took":0,"requestId":"r"}`},
			sam: "sam@example.com", lena: "lena", debugLog: "HTTP 403"},
		{name: "users failing", fault: &fake.Fault{PathPrefix: "/v2/users", Status: 500, Body: `{"message":"Internal error","took":0,"requestId":"r"}`},
			sam: "sam@example.com", lena: "lena", debugLog: "HTTP 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := world()
			if tt.edit != nil {
				tt.edit(&d)
			}
			srv := ogfake.Start(d, testKey)
			t.Cleanup(srv.Close)
			if tt.fault != nil {
				srv.AddFault(*tt.fault)
			}
			src, log := usersSource(t, srv, 0, 0)
			r, err := src.Responders(context.Background(), checkout)
			if err != nil {
				t.Fatal(err)
			}
			if want := respondersNaming(tt.sam, tt.lena); !reflect.DeepEqual(r, want) {
				t.Errorf("got  %+v\nwant %+v", r, want)
			}
			logged := log.String()
			if tt.debugLog != "" && (!strings.Contains(logged, "level=DEBUG") || !strings.Contains(logged, tt.debugLog)) {
				t.Errorf("log %q, want a debug line with %q", logged, tt.debugLog)
			}
			if strings.Contains(logged, "level=INFO") || strings.Contains(logged, "level=WARN") || strings.Contains(logged, "level=ERROR") {
				t.Errorf("log %q, want nothing above debug", logged)
			}
		})
	}
}

// TestUsersPaged: the user listing is read sorted by username with offset/limit, a page
// after the other, to the end or to MaxUserPages (then the rest keep their username, and
// the log says so); a person on the last page read is named.
func TestUsersPaged(t *testing.T) {
	other := target("other-svc", map[string]string{AnnotationTeam: "other"})
	tests := []struct {
		name               string
		pageSize, maxPages int
		wantOffsets        []string
		wantSam, wantXia   string
		truncated          bool
	}{
		{"three pages of two", 2, 0, []string{"0", "2", "4"}, "Sam Okafor", "Xia Wong", false},
		{"five pages of one", 1, 0, []string{"0", "1", "2", "3", "4"}, "Sam Okafor", "Xia Wong", false},
		{"one page of a hundred", 0, 0, []string{"0"}, "Sam Okafor", "Xia Wong", false},
		{"bounded at two pages", 2, 2, []string{"0", "2"}, "Sam Okafor", "x@example.com", true},
		{"bounded at one page", 2, 1, []string{"0"}, "sam@example.com", "x@example.com", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := ogfake.Start(world(), testKey)
			t.Cleanup(srv.Close)
			t.Cleanup(func() { reqcontract.Check(t, "opsgenie", srv.Requests()) }) // every request in the API reference
			src, log := usersSource(t, srv, tt.pageSize, tt.maxPages)
			if err := src.Warm(context.Background()); err != nil {
				t.Fatal(err)
			}
			limit := fmt.Sprint(tt.pageSize)
			if tt.pageSize == 0 {
				limit = "100"
			}
			var offsets []string
			for _, r := range srv.Requests() {
				if r.Path != "/v2/users" {
					continue
				}
				offsets = append(offsets, r.Query.Get("offset"))
				if r.Query.Get("limit") != limit || r.Query.Get("sortField") != "username" || len(r.Query) != 3 {
					t.Errorf("users request %v, want limit %s and sortField username", r.Query, limit)
				}
			}
			if !slices.Equal(offsets, tt.wantOffsets) {
				t.Errorf("user pages at offsets %v, want %v", offsets, tt.wantOffsets)
			}
			srv.Reset()
			for _, c := range []struct {
				t    model.Target
				want string
			}{{checkout, tt.wantSam}, {other, tt.wantXia}} {
				r, err := src.Responders(context.Background(), c.t)
				if err != nil || len(r.OnCall) == 0 || r.OnCall[0].Name != c.want {
					t.Errorf("%s: on call %+v, %v; want %s first", c.t.Name, r.OnCall, err, c.want)
				}
			}
			if n := srv.Count("/v2/users"); n != 0 {
				t.Errorf("%d user requests after Warm, want 0", n)
			}
			if got := strings.Contains(log.String(), "truncated"); got != tt.truncated {
				t.Errorf("log %q; want truncation said: %v", log.String(), tt.truncated)
			}
		})
	}
}

// TestUsersPagingLoopStops: a user listing that ignores the offset (every page is page 1)
// stops at the first repeated page and says so in the log; the people it named keep their
// names, the answer does not fail for it (the user listing only names people).
func TestUsersPagingLoopStops(t *testing.T) {
	srv := ogfake.Start(world(), testKey)
	t.Cleanup(srv.Close)
	srv.AddFault(fake.Fault{Path: "/v2/users", Replay: true})
	src, log := usersSource(t, srv, 2, 0)
	if err := src.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := srv.Count("/v2/users"); n != 2 {
		t.Errorf("%d user pages asked, want 2 (page 1 and its repeat)", n)
	}
	if !strings.Contains(log.String(), "paging loops") {
		t.Errorf("log %q does not name the paging loop", log.String())
	}
}

// Package servicenow is a contract-faithful fake of a ServiceNow instance for tests, benchmarks
// and the demo: the Table API (/api/now/table/{table}[/{sys_id}]) with encoded queries,
// sysparm_fields (dot-walked ones such as "support_group.name" included, empty through an
// empty or dangling reference), sysparm_limit/offset, Link and X-Total-Count headers,
// reference rendering (sysparm_exclude_reference_link, sysparm_display_value), the On-Call
// Scheduling whoisoncall endpoint, basic auth, OAuth (POST /oauth_token.do issuing short-lived
// bearer tokens for the client-credentials, password and refresh-token grants) or a static
// bearer, table read ACLs (403 "Insufficient rights to query records"), rate-limit headers and
// 429s, and the {"error":{"message","detail"},"status":"failure"} error body.
//
// Unlike a real instance, the fake is strict: an unparsable sysparm_query is a 400 rather
// than silently ignored, so connector bugs surface in tests.
package servicenow

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/opsctx/opsctx/internal/fake"
)

// Options configure credentials, read access and the rate-limit rule.
type Options struct {
	// Username and Password are the accepted basic credentials ("" = basic not accepted), and
	// the user of the OAuth password grant.
	Username, Password string
	// Token is a static bearer token accepted without expiry ("" = none).
	// With no credentials at all, every request is accepted.
	Token string
	// ClientID and ClientSecret register an OAuth application ("" = none): POST
	// /oauth_token.do issues access tokens that live TokenTTL.
	ClientID, ClientSecret string
	// TokenTTL is the lifetime of issued access tokens (default DefaultTokenTTL); an expired or
	// revoked token is refused with 401 "User Not Authenticated", like an unknown one.
	TokenTTL time.Duration
	// Denied lists tables the user may not read (no role or ACL): reading them answers 403
	// "Insufficient rights to query records". "whoisoncall" denies the on-call endpoint (a
	// user without an On-Call Scheduling role): 403 "User Not Authorized".
	Denied []string
	// RateLimit is the number of requests allowed per RateWindow (0 = no rate-limit rule).
	// When set, every answer carries X-RateLimit-Limit/-Reset/-Rule, and excess requests get
	// 429 with Retry-After.
	RateLimit int
	// RateWindow is the rate-limit window (default 1h, as ServiceNow rules are per hour).
	RateWindow time.Duration
	// Now is the clock of token expiry (default time.Now).
	Now func() time.Time
}

// RateLimitRule is the sys_id sent in X-RateLimit-Rule.
var RateLimitRule = SysID("sys_rate_limit_rules:table-api")

// Server is a running fake instance.
type Server struct {
	*fake.Server
	st     *store
	oncall map[string][]OnCall
	o      Options

	mu        sync.Mutex
	windowEnd time.Time
	used      int
	matches   map[string][]Record  // table + query -> matching rows
	rendered  map[string]*rendered // table, query and rendering -> rows as JSON
	access    map[string]time.Time // issued access token -> expiry
	refresh   map[string]grant     // issued refresh token -> what it renews
	issued    []string             // access tokens in issue order
}

// Start starts a fake instance serving d.
func Start(d Data, o Options) *Server {
	if o.RateWindow <= 0 {
		o.RateWindow = time.Hour
	}
	if o.TokenTTL <= 0 {
		o.TokenTTL = DefaultTokenTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{st: newStore(d), oncall: d.OnCall, o: o, matches: map[string][]Record{}, rendered: map[string]*rendered{},
		access: map[string]time.Time{}, refresh: map[string]grant{}}
	var auth func(*http.Request) bool
	if o.Username != "" || o.Token != "" || o.ClientID != "" {
		auth = s.authorized
	}
	s.Server = fake.Start("servicenow", auth, unauthorized, http.HandlerFunc(s.serve))
	s.SetSignInPath(tokenPath)
	return s
}

func (s *Server) authorized(r *http.Request) bool {
	if isTokenRequest(r) {
		return true // the token endpoint checks the client's credentials itself
	}
	if u, p, ok := r.BasicAuth(); ok {
		return s.o.Username != "" && u == s.o.Username && p == s.o.Password
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && s.bearer(tok)
}

func unauthorized(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("WWW-Authenticate", `BASIC realm="Service-now"`)
	writeError(w, http.StatusUnauthorized, "User Not Authenticated", "Required to provide Auth information")
}

// writeError writes ServiceNow's error envelope; an empty detail is sent as null.
func writeError(w http.ResponseWriter, status int, msg, detail string) {
	e := map[string]any{"message": msg, "detail": nil}
	if detail != "" {
		e["detail"] = detail
	}
	writeJSON(w, status, map[string]any{"error": e, "status": "failure"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if isTokenRequest(r) {
		s.token(w, r)
		return
	}
	if s.limited(w) {
		return
	}
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "Method not Supported", "The HTTP method "+r.Method+" is not supported by this fake")
		return
	}
	p := r.URL.Path
	for _, v := range []string{"/api/now/v1/", "/api/now/v2/"} {
		if rest, ok := strings.CutPrefix(p, v); ok {
			p = "/api/now/" + rest
		}
	}
	if rest, ok := strings.CutPrefix(p, "/api/now/table/"); ok {
		table, id, _ := strings.Cut(rest, "/")
		if !s.st.known(table) {
			writeError(w, http.StatusBadRequest, "Invalid table "+table, "")
			return
		}
		if slices.Contains(s.o.Denied, table) {
			writeError(w, http.StatusForbidden, "Insufficient rights to query records",
				"Field(s) present in the query do not have permission to be read")
			return
		}
		if id != "" {
			s.record(w, r, table, id)
			return
		}
		s.list(w, r, table)
		return
	}
	if p == "/api/now/on_call_rota/whoisoncall" && s.oncall != nil {
		if slices.Contains(s.o.Denied, "whoisoncall") {
			writeError(w, http.StatusForbidden, "User Not Authorized", "")
			return
		}
		s.whoIsOnCall(w, r)
		return
	}
	writeError(w, http.StatusBadRequest, "Requested URI does not represent any resource", "")
}

// limited applies the rate-limit rule; it answers 429 and returns true when exceeded.
func (s *Server) limited(w http.ResponseWriter) bool {
	if s.o.RateLimit <= 0 {
		return false
	}
	s.mu.Lock()
	now := time.Now()
	if !now.Before(s.windowEnd) {
		s.windowEnd, s.used = now.Add(s.o.RateWindow), 0
	}
	s.used++
	over, end := s.used > s.o.RateLimit, s.windowEnd
	s.mu.Unlock()
	h := w.Header()
	h.Set("X-RateLimit-Limit", itoa(s.o.RateLimit))
	h.Set("X-RateLimit-Reset", itoa(int(end.Unix())))
	h.Set("X-RateLimit-Rule", RateLimitRule)
	if !over {
		return false
	}
	wait := int((end.Sub(now) + time.Second - 1) / time.Second)
	h.Set("Retry-After", itoa(max(wait, 1)))
	writeError(w, http.StatusTooManyRequests, "Rate limit exceeded",
		"Rate limit of "+itoa(s.o.RateLimit)+" requests per "+s.o.RateWindow.String()+" for Table API exceeded")
	return true
}

func (s *Server) record(w http.ResponseWriter, r *http.Request, table, id string) {
	row := s.st.byID[id]
	if row == nil || !isA(s.st.table[id], table) {
		writeError(w, http.StatusNotFound, "No Record found", "Record doesn't exist or ACL restricts the record retrieval")
		return
	}
	b := s.renderer(r, table).appendRow([]byte(`{"result":`), row)
	writeRaw(w, http.StatusOK, append(b, '}', '\n'))
}

// whoIsOnCall answers GET /api/now/on_call_rota/whoisoncall?group_ids=a,b.
func (s *Server) whoIsOnCall(w http.ResponseWriter, r *http.Request) {
	out := []map[string]any{}
	for _, g := range strings.Split(r.URL.Query().Get("group_ids"), ",") {
		for _, oc := range s.oncall[strings.TrimSpace(g)] {
			out = append(out, map[string]any{
				"userId": oc.UserID, "memberId": memberID(oc),
				"roster": oc.Roster, "rota": oc.Rota, "group": oc.Group, "order": oc.Order,
				"isOverride": oc.IsOverride, "isDevice": oc.IsDevice, "deviceId": deviceID(oc),
				"userIds": []string{}, "memberIds": []string{}, "deviceIds": []string{}, "escalationGroups": []string{},
			})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": out})
}

// deviceID is the cmn_notif_device sys_id of a device entry.
func deviceID(oc OnCall) string {
	if !oc.IsDevice {
		return ""
	}
	return SysID("cmn_notif_device:" + oc.Rota + oc.Roster)
}

// renderer renders rows for one request's sysparm_fields, sysparm_display_value and
// sysparm_exclude_reference_link.
type renderer struct {
	st      *store
	host    string
	display string
	noLink  bool
	fields  []string // nil = every field of the row
}

func (s *Server) renderer(r *http.Request, table string) renderer {
	q := r.URL.Query()
	rd := renderer{st: s.st, host: r.Host, display: strings.ToLower(q.Get("sysparm_display_value")),
		noLink: strings.EqualFold(q.Get("sysparm_exclude_reference_link"), "true")}
	if q.Get("sysparm_fields") == "" {
		return rd
	}
	rd.fields = []string{}
	for _, f := range strings.Split(q.Get("sysparm_fields"), ",") {
		f = strings.TrimSpace(f)
		head, _, _ := strings.Cut(f, ".")
		if f != "" && s.st.hasField(table, head) {
			rd.fields = append(rd.fields, f) // unknown fields are silently dropped
		}
	}
	return rd
}

// appendRow appends the JSON object of row (keys in field order, written directly: large
// tables stay cheap to serve).
func (rd renderer) appendRow(b []byte, row Record) []byte {
	fields := rd.fields
	if fields == nil {
		fields = slices.Sorted(maps.Keys(row))
	}
	b = append(b, '{')
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendString(b, f), ':')
		v := rd.st.get(row, f)
		// A sys_id, stored or dot-walked ("support_group.sys_id"), is a GUID field, not a
		// reference: no link, and it displays as itself.
		id := f == "sys_id" || strings.HasSuffix(f, ".sys_id")
		ref := !id && rd.st.isRef(v)
		shown := v
		if !id && rd.display != "false" && rd.display != "" { // only display values look the name up
			shown = rd.st.display(v)
		}
		var pairs []string // key, value, ... of an object value
		switch {
		case rd.display == "true":
			b = appendString(b, shown)
			continue
		case rd.display == "all":
			pairs = []string{"display_value", shown, "value", v}
		case ref && !rd.noLink:
			pairs = []string{"value", v}
		default:
			b = appendString(b, v)
			continue
		}
		if ref && !rd.noLink {
			pairs = append(pairs, "link", "http://"+rd.host+"/api/now/table/"+rd.st.table[v]+"/"+v)
		}
		b = append(b, '{')
		for k := 0; k < len(pairs); k += 2 {
			if k > 0 {
				b = append(b, ',')
			}
			b = appendString(append(appendString(b, pairs[k]), ':'), pairs[k+1])
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	if plain(s) {
		return append(append(b, s...), '"')
	}
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}

// plain reports whether s is printable ASCII without quote or backslash: written as it is.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// writeRaw writes a JSON body built by hand.
func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func itoa(n int) string { return strconv.Itoa(n) }

package app

import "testing"

// TestDynatraceDomain: platform credentials go to the apps domain of a SaaS environment, API
// tokens and links to its live domain; other URLs (Managed, tests) are kept.
func TestDynatraceDomain(t *testing.T) {
	for _, tc := range []struct{ in, from, to, want string }{
		{"https://abc12345.live.dynatrace.com", ".live.", ".apps.", "https://abc12345.apps.dynatrace.com"},
		{"https://abc12345.apps.dynatrace.com/", ".apps.", ".live.", "https://abc12345.live.dynatrace.com/"},
		{"https://abc12345.apps.dynatrace.com", ".live.", ".apps.", "https://abc12345.apps.dynatrace.com"},
		{"https://dt.example.com/e/abc", ".live.", ".apps.", "https://dt.example.com/e/abc"},
		{"http://127.0.0.1:4711", ".apps.", ".live.", "http://127.0.0.1:4711"},
	} {
		if got := dynatraceDomain(tc.in, tc.from, tc.to); got != tc.want {
			t.Errorf("dynatraceDomain(%q, %q, %q) = %q, want %q", tc.in, tc.from, tc.to, got, tc.want)
		}
	}
}

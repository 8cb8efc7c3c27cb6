package connectors

import (
	"errors"
	"testing"
)

func TestPages(t *testing.T) {
	tests := []struct {
		name  string
		keys  []string
		loops int // index of the key that is refused; -1 for none
	}{
		{"advancing tokens", []string{"a", "b", "c"}, -1},
		{"empty keys are not pages", []string{"", "", "a"}, -1},
		{"token repeats at once", []string{"k", "k"}, 1},
		{"token repeats later", []string{"a", "b", "a"}, 2},
		{"same rows again", []string{PageKey("1", "2"), PageKey("1", "2")}, 1},
		{"rows that only share a prefix", []string{PageKey("1", "2"), PageKey("1", "23")}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Pages
			for i, k := range tt.keys {
				err := p.Next("GET /x", k)
				if (i == tt.loops) != (err != nil) {
					t.Fatalf("key %d (%q): err %v", i, k, err)
				}
				if err != nil && !errors.Is(err, ErrPagingLoop) {
					t.Fatalf("err %v does not wrap ErrPagingLoop", err)
				}
			}
		})
	}
	if PageKey() != "" {
		t.Error("an empty page has a key")
	}
}

package model

import (
	"fmt"
	"sort"
)

// LabelsFingerprint is the fingerprint Prometheus' Alertmanager gives an alert with these
// labels: FNV-1a 64 over the sorted label names and values, each followed by the separator
// byte 0xff, as 16 hex digits. The same alert read from Prometheus and from Alertmanager
// therefore shares one DedupKey.
func LabelsFingerprint(labels map[string]string) string {
	names := make([]string, 0, len(labels))
	for k := range labels {
		names = append(names, k)
	}
	sort.Strings(names)
	h := uint64(14695981039346656037)
	add := func(s string) {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
		h ^= 0xff
		h *= 1099511628211
	}
	for _, n := range names {
		add(n)
		add(labels[n])
	}
	return fmt.Sprintf("%016x", h)
}

package bench

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Durations is a set of latency samples.
type Durations []time.Duration

// Percentile returns the nearest-rank p-th percentile (0 < p <= 100); 0 for no samples.
func (d Durations) Percentile(p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// Median is the 50th percentile.
func (d Durations) Median() time.Duration { return d.Percentile(50) }

// Max returns the largest sample.
func (d Durations) Max() time.Duration { return d.Percentile(100) }

// Tokens estimates the LLM tokens of a text of n bytes: ceil(n / 4). Four bytes per token is
// the usual rule of thumb for English text and code with BPE tokenizers (cl100k/o200k-class);
// markdown with ids and URLs tends to be slightly denser, so treat the figure as ±20 %.
func Tokens(n int) int { return (n + 3) / 4 }

// TokenEstimator names the estimate used by Tokens, for tables.
const TokenEstimator = "tokens ≈ ceil(bytes / 4)"

// FormatDuration prints d with a precision that suits its size (µs below 1 ms, ms below 10 s).
func FormatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0"
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < 10*time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// FormatBytes prints n in MiB (or KiB below 1 MiB).
func FormatBytes(n uint64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

package bench

import (
	"bufio"
	"errors"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// PeakRSS returns the process's peak resident set size (VmHWM of /proc/self/status, Linux).
func PeakRSS() (uint64, error) { return procStatus("VmHWM:") }

// RSS returns the process's current resident set size (VmRSS).
func RSS() (uint64, error) { return procStatus("VmRSS:") }

// ResetPeakRSS returns freed memory to the OS and resets VmHWM to the current RSS (Linux ≥ 4.0,
// `echo 5 > /proc/self/clear_refs`), so that a later PeakRSS covers only what follows.
func ResetPeakRSS() error {
	debug.FreeOSMemory()
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

func procStatus(key string) (uint64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), key); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("/proc/self/status has no " + key)
}

// CPUTime returns the CPU time (user + system) the process has used so far; 0 when unknown.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// LoadAverage returns the 1-minute load average (/proc/loadavg), to tell whether other
// processes competed for the CPUs during a run; "" when unknown.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

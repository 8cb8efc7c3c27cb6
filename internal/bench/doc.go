// Package bench holds the measurement scenarios of opsctx (issue 7): fan-out against slow
// HTTP sources versus a sequential baseline, cache hits, upstream request economy, join
// time and memory on synthetic catalogs of up to 50k services, answer size per detail level,
// and MCP over streamable HTTP with many concurrent clients, including a bounded load run
// with an intermittently failing source.
//
// Every scenario returns figures measured in the same run (and ratios between them); it never
// judges timings itself. The unit tests assert only counts (upstream requests, errors,
// tokens, goroutines) and stay well under a minute, also with -race; TestLoad is skipped
// with -short and runs for OPSCTX_LOAD_SECONDS (default 10). Timings are reported by the
// Benchmark functions and by the command, which prints one markdown table:
//
//	go run ./cmd/opsctx-bench                          # all sections, about 1.5 minutes on 2 cores
//	go run ./cmd/opsctx-bench -sections fanout,cache   # a subset; -h lists the flags
//	go test -run '^$' -bench . -benchtime 3x ./internal/bench/
//	OPSCTX_LOAD_SECONDS=60 go test -run TestLoad -v ./internal/bench/
//
// Sources: the demo (internal/demo: every vendor fake over HTTP on 127.0.0.1, latency set
// with fake.Server.SetLatency) for fan-out, cache, economy, tokens, HTTP and load; in-process
// fake.Memory sources (package scale) for scale. Tokens are estimated as ceil(bytes / 4)
// (Tokens).
package bench

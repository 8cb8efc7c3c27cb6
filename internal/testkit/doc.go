// Package testkit holds what tests share and production never links: tool-contract
// snapshots (toolsnaps), output-schema checks (outputcheck), fuzz harnesses (fuzzcheck),
// spec loading and validation for the fakes' tests (faketest), the fakes' spec-subset
// generator (specsubset), the vendors' request contracts (reqcontract), real Prometheus/Alertmanager servers (realserver) and MCP tool
// calls that read both channels (mcpcall). Only
// packages under internal/testkit may import testing outside _test.go files; .ci/run checks it.
package testkit

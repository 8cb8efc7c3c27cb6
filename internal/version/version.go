// Package version holds the build version, set with -ldflags "-X github.com/opsctx/opsctx/internal/version.Version=v1.2.3".
package version

// Version is the opsctx version.
var Version = "dev"

// UserAgent is sent on every upstream request.
func UserAgent() string { return "opsctx/" + Version }

package main

import (
	"fmt"
	"io"
	"runtime"

	"github.com/opsctx/opsctx/internal/version"
)

func versionCmd(stdout io.Writer) int {
	fmt.Fprintf(stdout, "opsctx %s (%s, %s/%s)\n", version.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return 0
}

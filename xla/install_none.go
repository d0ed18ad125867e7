//go:build !(cgo && !noxla && linux && amd64)

package xla

import "github.com/pkg/errors"

// errNoInstaller explains why installing is impossible in this build.
var errNoInstaller = errors.New("the CUDA plugin installer needs linux/amd64 with cgo and without the \"noxla\" tag")

func defaultLibDir() (string, error) { return "", errNoInstaller }

func runCUDAInstaller(string, string, string) error { return errNoInstaller }

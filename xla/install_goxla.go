//go:build cgo && !noxla && linux && amd64

package xla

import "github.com/gomlx/go-xla/installer"

// defaultLibDir is go-xla's default ("~/.local/lib" on Linux).
func defaultLibDir() (string, error) { return installer.DefaultHomeLibPath() }

// runCUDAInstaller runs go-xla's CUDA installer (downloads from pypi.org).
func runCUDAInstaller(cuda, version, goxlaDir string) error {
	return installer.CudaInstall(cuda, version, goxlaDir, true, installer.Normal)
}

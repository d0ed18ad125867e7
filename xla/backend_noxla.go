//go:build !cgo || noxla

package xla

import "github.com/gomlx/compute"

// xlaCompiled is false: without cgo (or with the "noxla" tag) go-xla cannot
// be linked, so only the pure-Go backend exists.
const xlaCompiled = false

// clientAPIVersion is unknown without go-xla.
var clientAPIVersion = APIVersion{}

// prepareXLA is never reached: Open refuses xla choices first.
func prepareXLA(Choice) {}

// preloadReport is empty: nothing is preloaded without the xla backend.
func preloadReport() []string { return nil }

// isCUDABackend is always false without the xla backend.
func isCUDABackend(compute.Backend) bool { return false }

// pluginDetails has nothing to add without the xla backend.
func pluginDetails(compute.Backend, *Report) error { return nil }

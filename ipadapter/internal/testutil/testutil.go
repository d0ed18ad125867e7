// Package testutil holds helpers shared by the module's tests.
package testutil

import (
	"sync"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend"
)

var (
	backendOnce sync.Once
	backend     compute.Backend
	backendErr  error
)

// Backend returns one pure-Go backend for the whole test process: tests are
// deterministic and run on any machine, whatever GOMLX_BACKEND says.
func Backend(t testing.TB) compute.Backend {
	t.Helper()
	backendOnce.Do(func() { backend, backendErr = gobackend.New("") })
	if backendErr != nil {
		t.Fatalf("creating the go backend: %v", backendErr)
	}
	return backend
}

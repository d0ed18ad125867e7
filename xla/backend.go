package xla

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	"github.com/pkg/errors"

	// Registers the pure-Go backend ("go"), always available.
	_ "github.com/gomlx/compute/gobackend"
)

// shared is the process-wide backend made by Backend.
var shared struct {
	mu      sync.Mutex
	backend compute.Backend
	choice  Choice
}

// Backend returns the process-wide compute backend, creating it on the first
// successful call from Choose(OSEnv()). Only success is memoised: after an
// error (say, a plugin that failed to load) a later call tries again, which
// is what a notebook user fixing their setup expects.
func Backend() (compute.Backend, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.backend != nil {
		return shared.backend, nil
	}
	choice, err := Choose(OSEnv())
	if err != nil {
		return nil, errors.WithMessage(err, "choosing the compute backend")
	}
	b, err := Open(choice)
	if err != nil {
		return nil, err
	}
	shared.backend, shared.choice = b, choice
	return b, nil
}

// currentChoice returns the choice behind the shared backend, if any.
func currentChoice() (Choice, bool) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	return shared.choice, shared.backend != nil
}

// Open creates a new backend for a choice (not memoised; most callers want
// [Backend]). It sets choice.Setenv in the process environment, and for xla
// switches go-xla's auto-install off and preloads choice.Preload first.
func Open(choice Choice) (compute.Backend, error) {
	for _, v := range choice.Setenv {
		if err := os.Setenv(v.Name, v.Value); err != nil {
			return nil, errors.Wrapf(err, "setting %s for the %q backend", v.Name, choice.Config)
		}
	}
	name, _, _ := strings.Cut(choice.Config, ":")
	if choice.IsXLA() {
		if !xlaCompiled {
			return nil, errors.Errorf("backend %q: the xla backend is not compiled in (needs cgo and no \"noxla\" tag)", choice.Config)
		}
		prepareXLA(choice)
	}
	if !slices.Contains(compute.List(), name) {
		return nil, errors.Errorf("backend %q is not registered; available: %q", choice.Config, compute.List())
	}
	b, err := newWithConfig(choice.Config)
	if err != nil {
		return nil, errors.WithMessagef(err, "creating backend %q (%s)", choice.Config, choice.Reason)
	}
	return b, nil
}

// newWithConfig calls compute.NewWithConfig, turning a panic into an error:
// library code must not bring the notebook kernel down.
func newWithConfig(config string) (b compute.Backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("compute.NewWithConfig(%q) panicked: %v", config, r)
		}
	}()
	b, err = compute.NewWithConfig(config)
	if err == nil && b == nil {
		err = fmt.Errorf("compute.NewWithConfig(%q) returned no backend", config)
	}
	return b, err
}

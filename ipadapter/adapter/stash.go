package adapter

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
)

// Replacing adapters is transactional: the previous adapters' IP weights
// are moved aside in the UNet's store (not freed) while the new ones load,
// then freed on success or moved back on failure, so a file that fails to
// read half-way leaves the model as it was. The price is that both sets of
// IP weights are on the backend for the duration of the load (for h94's
// SDXL adapters about 0.7 GB per float16 adapter).

// stashRoot is where the previous weights wait; the path holds none of
// ipWeightMarkers, so removeIPWeights leaves them alone.
const stashRoot = "/ipadapter_previous_weights/"

// stash is the previous IP weights, moved aside: stashed[i] came from
// paths[i].
type stash struct {
	m     *unet.Model
	paths []string
}

// stashIPWeights moves every IP weight of m aside. On an error the
// weights moved so far are moved back.
func stashIPWeights(m *unet.Model) (*stash, error) {
	s := &stash{m: m}
	for _, p := range ipWeightPaths(m) {
		if err := m.Store().MoveVariable(p, s.aside(len(s.paths))); err != nil {
			err = fmt.Errorf("setting the previous IP-Adapter weight %s aside: %w", p, err)
			if rerr := s.restore(); rerr != nil {
				err = fmt.Errorf("%w; and restoring: %w", err, rerr)
			}
			return nil, err
		}
		s.paths = append(s.paths, p)
	}
	return s, nil
}

func (s *stash) aside(i int) string { return stashRoot + strconv.Itoa(i) }

// restore moves the stashed weights back (after the new ones were removed).
func (s *stash) restore() error {
	for i, p := range s.paths {
		if err := s.m.Store().MoveVariable(s.aside(i), p); err != nil {
			return fmt.Errorf("restoring the previous IP-Adapter weight %s: %w", p, err)
		}
	}
	s.paths = nil
	return nil
}

// drop frees the stashed weights.
func (s *stash) drop() error {
	for i, p := range s.paths {
		if err := s.m.Store().DeleteVariable(s.aside(i)); err != nil {
			return fmt.Errorf("freeing the previous IP-Adapter weight %s: %w", p, err)
		}
	}
	s.paths = nil
	return nil
}

// ipWeightPaths lists the store paths of every IP-Adapter weight of m.
func ipWeightPaths(m *unet.Model) []string {
	var paths []string
	for v := range m.Store().IterVariables() {
		for _, marker := range ipWeightMarkers {
			if strings.Contains(v.Path(), marker) {
				paths = append(paths, v.Path())
				break
			}
		}
	}
	return paths
}

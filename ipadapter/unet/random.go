package unet

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// NewRandom builds the UNet of cfg with seeded random float32 weights, for
// benchmarks and tests that need a model of a given structure but not its
// trained values. Weights are scaled so activations stay of order one:
// normal with std 1/√fan_in, norm gains near 1, small biases.
func NewRandom(cfg Config, backend compute.Backend, opts nn.Options, seed uint64) (*Model, error) {
	u, err := Build(cfg)
	if err != nil {
		return nil, err
	}
	store, err := RandomStore(u.Specs(), backend, seed)
	if err != nil {
		return nil, err
	}
	return NewFromStore(u, store, backend, opts), nil
}

// RandomStore puts seeded random float32 values for every spec in a new
// store (see NewRandom for the distribution).
func RandomStore(specs []nn.Spec, backend compute.Backend, seed uint64) (*model.Store, error) {
	store := model.NewStore()
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	if err := AddRandom(store, specs, backend, rng); err != nil {
		return nil, err
	}
	return store, nil
}

// AddRandom adds random values for specs to an existing store (random
// IP-Adapter weights next to a UNet's, in tests).
func AddRandom(store *model.Store, specs []nn.Spec, backend compute.Backend, rng *rand.Rand) error {
	for _, s := range specs {
		v := make([]float32, s.NumElements())
		last := s.Name[strings.LastIndex(s.Name, ".")+1:]
		isNorm := strings.Contains(s.Name, "norm") && len(s.Shape) == 1
		switch {
		case isNorm && last == "weight":
			for i := range v {
				v[i] = float32(1 + 0.1*rng.NormFloat64())
			}
		case last == "bias" || len(s.Shape) == 1:
			for i := range v {
				v[i] = float32(0.05 * rng.NormFloat64())
			}
		default:
			fanIn := s.NumElements() / s.Shape[0]
			std := 1 / math.Sqrt(float64(fanIn))
			for i := range v {
				v[i] = float32(std * rng.NormFloat64())
			}
		}
		t := tensors.FromFlatDataAndDimensions(v, s.Shape...)
		if backend != nil {
			if err := t.MaterializeOnDevice(backend, false, 0); err != nil {
				return fmt.Errorf("random %s: %w", s.Name, err)
			}
		}
		if _, err := store.CreateVariable("/"+s.Name, t); err != nil {
			return fmt.Errorf("random %s: %w", s.Name, err)
		}
	}
	return nil
}

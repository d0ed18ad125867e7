package vae

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/hostfloat"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// smallConfig is a VAE with SDXL's four levels (scale factor 8) small
// enough to build and run in milliseconds, for tests of behaviour rather
// than of numbers.
func smallConfig() Config {
	c := DefaultConfig()
	c.BlockOutChannels = []int{8, 8, 8, 8}
	c.DownBlockTypes = []string{downEncoderBlock, downEncoderBlock, downEncoderBlock, downEncoderBlock}
	c.UpBlockTypes = []string{upDecoderBlock, upDecoderBlock, upDecoderBlock, upDecoderBlock}
	c.NormNumGroups = 4
	c.ScalingFactor = 0.13025
	return c
}

// writeRandomWeights writes N(0, 0.2²) values for every spec (renamed by
// rename unless it is nil) and opens them as a checkpoint.
func writeRandomWeights(t *testing.T, specs []nn.Spec, rename func(string) string) weights.Source {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	var named []weights.Named
	for _, s := range specs {
		name := s.Name
		if rename != nil {
			name = rename(name)
		}
		named = append(named, testutil.Float32Named(name, s.Shape, testutil.Normal(rng, s.NumElements(), 0.2)))
	}
	return testutil.OpenSafetensors(t, named)
}

func randomModel(t *testing.T, cfg Config) *Model {
	t.Helper()
	arch, err := NewAutoencoderKL(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b := testutil.Backend(t)
	m, err := New(cfg, writeRandomWeights(t, arch.Specs(), nil), b, cpuOptions(b))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func randomTensor(seed uint64, dims ...int) (*tensors.Tensor, []float32) {
	n := 1
	for _, d := range dims {
		n *= d
	}
	v := testutil.Normal(rand.New(rand.NewPCG(seed, 3)), n, 1)
	return tensors.FromFlatDataAndDimensions(v, dims...), v
}

func values(t *testing.T, x *tensors.Tensor) []float32 {
	t.Helper()
	v, err := hostfloat.Floats(x)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func shapeF32(dims ...int) shapes.Shape { return shapes.Make(dtypes.Float32, dims...) }

func equalInts(a, b []int) bool { return slices.Equal(a, b) }

// cpuOptions are the options the tests run with: float32, im2col on the
// pure-Go backend.
func cpuOptions(b compute.Backend) nn.Options {
	return DefaultOptions(b, DefaultConfig(), dtypes.InvalidDType)
}

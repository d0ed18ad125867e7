package testutil

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/gomlx/compute/dtypes"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// Normal draws n values of N(0, std²) from rng, in order, as float32.
func Normal(rng *rand.Rand, n int, std float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64() * std)
	}
	return v
}

// Float32Named is a float32 tensor ready for weights.WriteSafetensors.
func Float32Named(name string, shape []int, v []float32) weights.Named {
	data := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(x))
	}
	return weights.Named{Name: name, DType: dtypes.Float32, Shape: shape, Data: data}
}

// OpenSafetensors writes the tensors to a safetensors file in a temporary
// folder and opens it; it is closed when the test ends.
func OpenSafetensors(t testing.TB, named []weights.Named) weights.Source {
	t.Helper()
	path := filepath.Join(t.TempDir(), "w.safetensors")
	if err := weights.WriteSafetensors(path, named, nil); err != nil {
		t.Fatal(err)
	}
	src, err := weights.OpenSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

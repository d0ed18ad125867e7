package vaebench

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomlx/compute/dtypes"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/vae"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// RandomWeights writes a checkpoint for cfg with values like the golden
// fixtures' (norm weights 1+N(0, 0.1), everything else N(0, 1/√fan_in)
// clamped to [0.02, 0.2]) to a temporary file, so activations keep a
// realistic scale through the network, and opens it.
func RandomWeights(cfg vae.Config) (weights.Source, func(), error) {
	arch, err := vae.NewAutoencoderKL(cfg)
	if err != nil {
		return nil, nil, err
	}
	rng := rand.New(rand.NewPCG(11, 12))
	var named []weights.Named
	for _, s := range arch.Specs() {
		std := 0.05
		mean := 0.0
		if len(s.Shape) > 1 {
			fanIn := s.NumElements() / s.Shape[0]
			std = min(max(1/math.Sqrt(float64(fanIn)), 0.02), 0.2)
		} else if isNormWeight(s.Name) {
			mean, std = 1, 0.1
		}
		raw := make([]byte, 4*s.NumElements())
		for i := range s.NumElements() {
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(float32(mean+std*rng.NormFloat64())))
		}
		named = append(named, weights.Named{Name: s.Name, DType: dtypes.Float32, Shape: s.Shape, Data: raw})
	}
	dir, err := os.MkdirTemp("", "vaedecode")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	path := filepath.Join(dir, "vae.safetensors")
	if err := weights.WriteSafetensors(path, named, nil); err != nil {
		cleanup()
		return nil, nil, err
	}
	src, err := weights.OpenSafetensors(path)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return src, func() { src.Close(); cleanup() }, nil
}

// isNormWeight tells GroupNorm scales ("…norm1.weight", "…group_norm.weight",
// "…conv_norm_out.weight") from biases.
func isNormWeight(name string) bool {
	return strings.HasSuffix(name, ".weight") && strings.Contains(name, "norm")
}

func Normals(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}

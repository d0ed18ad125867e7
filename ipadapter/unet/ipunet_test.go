package unet

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
)

// ipModel is the fixture UNet with random weights for adapters 0 and 1.
func ipModel(t *testing.T) *Model {
	t.Helper()
	m := freshTinyModel(t)
	rng := rand.New(rand.NewPCG(9, 9))
	for a := range 2 {
		if err := AddRandom(m.Store(), m.UNet().IPSpecs(a), m.Backend(), rng); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// onesMasks are all-ones masks [1, n, nq] for every query count of an h×w latent.
func onesMasks(t *testing.T, u *UNet, n, h, w int) map[int]*tensors.Tensor {
	t.Helper()
	nqs, err := u.MaskQueryCounts(h, w)
	if err != nil {
		t.Fatal(err)
	}
	masks := map[int]*tensors.Tensor{}
	for _, q := range nqs {
		ones := make([]float32, n*q)
		for i := range ones {
			ones[i] = 1
		}
		masks[q] = tensors.FromFlatDataAndDimensions(ones, 1, n, q)
	}
	return masks
}

func predict(t *testing.T, m *Model, in Inputs) []float32 {
	t.Helper()
	out, err := m.Predict(in)
	if err != nil {
		t.Fatal(err)
	}
	return flat(out)
}

func bitwiseEqual(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}

// TestIPScaleZeroIsBitwiseNoAdapter: with every scale 0 an adapter adds
// exact zeros, so the output is bitwise the output without it (diffusers
// skips the branch; the golden case unet_plain_s0.0 is bitwise equal to
// unet_no_adapter). A non-zero scale must change the output.
func TestIPScaleZeroIsBitwiseNoAdapter(t *testing.T) {
	m := ipModel(t)
	u := m.UNet()
	rng := rand.New(rand.NewPCG(1, 2))
	in := randomInputs(u, rng, 2, 12, 20)
	base := predict(t, m, in)
	layers := len(u.CrossAttnLayers())
	tokens := randomTensor(rng, 2, 2, 4, u.crossLayers[0].CrossDim)
	for _, tc := range []struct {
		name   string
		stream IPInput
	}{
		{"unmasked", IPInput{Adapter: 0, Tokens: tokens}},
		{"masked", IPInput{Adapter: 1, Tokens: tokens, Masks: onesMasks(t, u, 2, 12, 20)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 1
			if tc.stream.Masks != nil {
				n = 2
			}
			withIP := in
			s := tc.stream
			s.Scales = constScales(layers, n, 0)
			withIP.IP = []IPInput{s}
			if got := predict(t, m, withIP); !bitwiseEqual(got, base) {
				t.Fatal("scale 0 changed the output")
			}
			s.Scales = constScales(layers, n, 0.5)
			withIP.IP = []IPInput{s}
			if got := predict(t, m, withIP); bitwiseEqual(got, base) {
				t.Fatal("scale 0.5 left the output unchanged: the stream is not wired in")
			}
		})
	}
}

// TestMaskOfOnesEqualsUnmasked: one image with an all-ones mask is the
// unmasked computation (A·1 = A exactly), through the whole UNet.
func TestMaskOfOnesEqualsUnmasked(t *testing.T) {
	m := ipModel(t)
	u := m.UNet()
	rng := rand.New(rand.NewPCG(3, 3))
	in := randomInputs(u, rng, 2, 16, 16)
	layers := len(u.CrossAttnLayers())
	tokens := randomTensor(rng, 2, 1, 4, u.crossLayers[0].CrossDim)
	unmasked, masked := in, in
	unmasked.IP = []IPInput{{Adapter: 0, Tokens: tokens, Scales: constScales(layers, 1, 0.7)}}
	masked.IP = []IPInput{{Adapter: 0, Tokens: tokens, Scales: constScales(layers, 1, 0.7), Masks: onesMasks(t, u, 1, 16, 16)}}
	if !bitwiseEqual(predict(t, m, unmasked), predict(t, m, masked)) {
		t.Fatal("an all-ones mask gives another result than no mask")
	}
}

// TestInputsDoNotRecompile: timesteps (any dtype), scales and masks are
// graph inputs, so a denoising loop with a scale sweep compiles once per
// input signature.
func TestInputsDoNotRecompile(t *testing.T) {
	m := ipModel(t)
	u := m.UNet()
	rng := rand.New(rand.NewPCG(4, 4))
	in := randomInputs(u, rng, 2, 16, 16)
	layers := len(u.CrossAttnLayers())
	tokens := randomTensor(rng, 2, 4, u.crossLayers[0].CrossDim)
	var prev []float32
	for i, s := range []float32{0, 0.3, 1} {
		in.IP = []IPInput{{Adapter: 0, Tokens: tokens, Scales: constScales(layers, 1, s)}}
		switch i {
		case 0:
			in.Timestep = tensors.FromScalar(int64(999))
		case 1:
			in.Timestep = tensors.FromFlatDataAndDimensions([]float64{500, 500}, 2)
		case 2:
			in.Timestep = tensors.FromFlatDataAndDimensions([]float32{1}, 1)
		}
		got := predict(t, m, in)
		if prev != nil && bitwiseEqual(got, prev) {
			t.Fatalf("step %d: new timestep/scale gave the same output", i)
		}
		prev = got
	}
	if n := m.Compilations(); n != 1 {
		t.Fatalf("%d compilations for one signature, want 1", n)
	}
}

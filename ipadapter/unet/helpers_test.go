package unet

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
)

func randomValues(rng *rand.Rand, n int) []float32 { return testutil.Normal(rng, n, 1) }

func randomTensor(rng *rand.Rand, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return tensors.FromFlatDataAndDimensions(randomValues(rng, n), dims...)
}

// tinyUNetDir is the UNet folder of the fixtures' first unet case.
func tinyUNetDir(t *testing.T) string {
	t.Helper()
	cases := golden.Load(t).Group("unet")
	if len(cases) == 0 {
		t.Skip("the fixture set has no unet cases")
	}
	dir, err := cases[0].Component("unet")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// freshTinyModel loads the fixture UNet into its own store, for tests that
// add IP-Adapter weights.
func freshTinyModel(t *testing.T) *Model {
	t.Helper()
	b := testutil.Backend(t)
	m, err := Load(tinyUNetDir(t), b, DefaultOptions(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// randomInputs makes valid inputs for u: batch b, an h×w latent, 7 text
// tokens and SDXL's six time ids.
func randomInputs(u *UNet, rng *rand.Rand, b, h, w int) Inputs {
	cfg := u.Config()
	in := Inputs{
		Sample:              randomTensor(rng, b, cfg.InChannels, h, w),
		Timestep:            tensors.FromScalar(float32(321)),
		EncoderHiddenStates: randomTensor(rng, b, 7, u.crossLayers[0].CrossDim),
	}
	if u.addEmbed != nil {
		ids := make([]float32, b*6)
		for i := range ids {
			ids[i] = float32([]int{128, 128, 0, 0, 128, 128}[i%6])
		}
		in.TimeIDs = tensors.FromFlatDataAndDimensions(ids, b, 6)
		in.TextEmbeds = randomTensor(rng, b, u.addEmbed.Linear1.In-6*u.addTimeProj.Dim)
	}
	return in
}

func flat(t *tensors.Tensor) []float32 { return tensors.MustCopyFlatData[float32](t) }

// constScales is a [layers, n] scale tensor with one value everywhere.
func constScales(layers, n int, v float32) *tensors.Tensor {
	s := make([]float32, layers*n)
	for i := range s {
		s[i] = v
	}
	return tensors.FromFlatDataAndDimensions(s, layers, n)
}

// reshapeTensor copies a float32 tensor into a new shape.
func reshapeTensor(t *testing.T, v *tensors.Tensor, dims ...int) *tensors.Tensor {
	t.Helper()
	return tensors.FromFlatDataAndDimensions(flat(v), dims...)
}

// randomTensorFrom wraps values as a flat tensor.
func randomTensorFrom(v []float32) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(v, len(v))
}

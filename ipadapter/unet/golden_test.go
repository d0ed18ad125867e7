package unet

import (
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
)

// models caches one Model per UNet folder for the whole test process.
var models testutil.Cache[*Model]

func loadModel(t *testing.T, dir string) *Model {
	t.Helper()
	return models.Get(t, dir, func() (*Model, error) {
		b := testutil.Backend(t)
		return Load(dir, b, DefaultOptions(b))
	})
}

// caseTensor reads an input of a case as a host tensor (floats as float32,
// integer timesteps as int64), or nil when the case does not have it.
func caseTensor(t *testing.T, c *golden.Case, name string) *tensors.Tensor {
	t.Helper()
	spec, ok := c.Inputs[name]
	if !ok {
		return nil
	}
	if spec.DType == "I64" || spec.DType == "I32" {
		v, shape, err := c.Int64s(name)
		if err != nil {
			t.Fatal(err)
		}
		return tensors.FromFlatDataAndDimensions(v, shape...)
	}
	v, shape, err := c.Float32s(name)
	if err != nil {
		t.Fatal(err)
	}
	return tensors.FromFlatDataAndDimensions(v, shape...)
}

// TestGoldenUNet runs every unet case of the fixture index without an
// adapter through the case's UNet folder and compares the noise prediction
// with diffusers'.
func TestGoldenUNet(t *testing.T) {
	golden.ForGroup(t, "unet", func(t *testing.T, c *golden.Case) {
		var adapters []string
		if _, err := c.Param("adapters", &adapters); err != nil {
			t.Fatal(err)
		}
		if len(adapters) > 0 {
			t.Skip("needs IP-Adapter loading (ipadapter/adapter)")
		}
		dir, err := c.Component("unet")
		if err != nil {
			t.Fatal(err)
		}
		m := loadModel(t, dir)
		in := Inputs{
			Sample:              caseTensor(t, c, "in.latents"),
			Timestep:            caseTensor(t, c, "in.timestep"),
			EncoderHiddenStates: caseTensor(t, c, "in.ehs"),
			TextEmbeds:          caseTensor(t, c, "in.text_embeds"),
			TimeIDs:             caseTensor(t, c, "in.time_ids"),
		}
		out, err := m.Predict(in)
		if err != nil {
			t.Fatal(err)
		}
		golden.AssertClose(t, c, "out.noise_pred", tensors.MustCopyFlatData[float32](out), out.Shape().Dimensions)
	})
}

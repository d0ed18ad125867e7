package clip

import (
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// Loaded encoders are shared by the cases of a test run, keyed by folder:
// every case of a group uses the same tiny models.
var (
	loadedText   testutil.Cache[*TextEncoder]
	loadedVision testutil.Cache[*VisionEncoder]
)

func textEncoderFor(t *testing.T, c *golden.Case, component string) *TextEncoder {
	t.Helper()
	dir, err := c.Component(component)
	if err != nil {
		t.Fatal(err)
	}
	return loadedText.Get(t, dir, func() (*TextEncoder, error) { return LoadTextEncoder(dir, testutil.Backend(t), nn.Options{}) })
}

func visionEncoderFor(t *testing.T, c *golden.Case) *VisionEncoder {
	t.Helper()
	dir, err := c.Component("image_encoder")
	if err != nil {
		t.Fatal(err)
	}
	return loadedVision.Get(t, dir, func() (*VisionEncoder, error) { return LoadVisionEncoder(dir, testutil.Backend(t), nn.Options{}) })
}

// hostFloat32s returns a result tensor's values and shape.
func hostFloat32s(t *testing.T, x *tensors.Tensor) ([]float32, []int) {
	t.Helper()
	if x == nil {
		t.Fatal("output not returned")
	}
	v, err := tensors.CopyFlatData[float32](x)
	if err != nil {
		t.Fatal(err)
	}
	return v, x.Shape().Dimensions
}

// idRowsOf reads an integer case input [B, S] as rows of ids.
func idRowsOf(t *testing.T, c *golden.Case, name string) [][]int {
	t.Helper()
	flat, shape, err := c.Int64s(name)
	if err != nil {
		t.Fatal(err)
	}
	if len(shape) != 2 {
		t.Fatalf("%s: shape %v, want [batch, seq]", name, shape)
	}
	rows := make([][]int, shape[0])
	for b := range rows {
		for _, id := range flat[b*shape[1] : (b+1)*shape[1]] {
			rows[b] = append(rows[b], int(id))
		}
	}
	return rows
}

package vae

import (
	"math"
	"testing"

	"github.com/gomlx/compute/dtypes"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
)

func TestDefaultOptionsUpcast(t *testing.T) {
	b := testutil.Backend(t)
	sdxl := smallConfig() // force_upcast true, as SDXL's
	fp16fix := smallConfig()
	fp16fix.ForceUpcast = false
	for _, tc := range []struct {
		cfg      Config
		pipeline dtypes.DType
		want     dtypes.DType
	}{
		{sdxl, dtypes.Float16, dtypes.Float32},
		{sdxl, dtypes.BFloat16, dtypes.Float32},
		{fp16fix, dtypes.Float16, dtypes.Float16},
		{fp16fix, dtypes.InvalidDType, dtypes.Float32},
	} {
		o := DefaultOptions(b, tc.cfg, tc.pipeline)
		if o.DType != tc.want || !o.Im2Col {
			t.Errorf("force_upcast %v, pipeline %s: options %+v, want dtype %s with im2col", tc.cfg.ForceUpcast, tc.pipeline, o, tc.want)
		}
	}
}

// TestHalfPrecisionDecode decodes the golden 16×16 case in float16 (the
// choice for an fp16-safe VAE): the graph must build in half precision,
// return float16, and stay within float16 accuracy of the float32
// reference.
func TestHalfPrecisionDecode(t *testing.T) {
	var c *golden.Case
	for _, gc := range golden.Load(t).Group("vae") {
		if hasKey(gc.Outputs, "out.image_np") {
			c = gc
		}
	}
	if c == nil {
		t.Skip("no decode case with image_np")
	}
	dir, err := c.Component("vae")
	if err != nil {
		t.Fatal(err)
	}
	b := testutil.Backend(t)
	cfg, err := ReadConfig(dir + "/config.json")
	if err != nil {
		t.Fatal(err)
	}
	cfg.ForceUpcast = false // what an fp16-fix config says
	opts := DefaultOptions(b, cfg, dtypes.Float16)
	m, err := Load(dir, b, opts)
	if err != nil {
		t.Fatal(err)
	}
	latents, _, _ := caseTensor(t, c, "in.latents")
	out, err := m.DecodeLatents(latents)
	if err != nil {
		t.Fatal(err)
	}
	if out.DType() != dtypes.Float16 || m.DType() != dtypes.Float16 {
		t.Fatalf("decoded in %s (model %s), want float16", out.DType(), m.DType())
	}
	arr, err := Postprocess(out)
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := c.Float32s("out.image_np")
	if err != nil {
		t.Fatal(err)
	}
	var worst float64
	for i, w := range want {
		worst = math.Max(worst, math.Abs(float64(arr.Data[i]-w)))
	}
	t.Logf("float16 decode: max abs error of image_np %.3g", worst)
	if worst > 1.5e-2 {
		t.Errorf("float16 decode is %g away from the float32 reference", worst)
	}
}

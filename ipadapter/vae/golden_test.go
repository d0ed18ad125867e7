package vae

import (
	"image"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
)

var models testutil.Cache[*Model]

// goldenModel loads (once per folder) the VAE a case names.
func goldenModel(t *testing.T, c *golden.Case) *Model {
	t.Helper()
	dir, err := c.Component("vae")
	if err != nil {
		t.Fatal(err)
	}
	return models.Get(t, dir, func() (*Model, error) {
		b := testutil.Backend(t)
		return Load(dir, b, cpuOptions(b))
	})
}

func caseTensor(t *testing.T, c *golden.Case, name string) (*tensors.Tensor, []float32, []int) {
	t.Helper()
	v, shape, err := c.Float32s(name)
	if err != nil {
		t.Fatal(err)
	}
	return tensors.FromFlatDataAndDimensions(v, shape...), v, shape
}

// TestGoldenVAE runs every "vae" case of the fixture index. What a case
// computes is read from its tensors: in.latents (UNet-space latents) are
// decoded as the pipeline does, vae.decode(latents / scaling_factor); in.x
// (a preprocessed image) is encoded. Every output the case stores is
// compared, and an output this test does not know fails it.
func TestGoldenVAE(t *testing.T) {
	golden.ForGroup(t, "vae", func(t *testing.T, c *golden.Case) {
		m := goldenModel(t, c)
		var sf float64
		if found, err := c.Param("scaling_factor", &sf); err != nil {
			t.Fatal(err)
		} else if found && sf != m.Config.ScalingFactor {
			t.Fatalf("case uses scaling_factor %v, config.json has %v", sf, m.Config.ScalingFactor)
		}
		t.Logf("call: %s", c.Call)
		switch {
		case hasKey(c.Inputs, "in.latents"):
			if !strings.Contains(c.Call, "latents / vae.config.scaling_factor") {
				t.Fatalf("decode case whose call does not divide by the scaling factor: %s", c.Call)
			}
			checkDecodeCase(t, c, m)
		case hasKey(c.Inputs, "in.x"):
			checkEncodeCase(t, c, m)
		default:
			t.Fatalf("unknown vae case: inputs %v", keys(c.Inputs))
		}
	})
}

func checkDecodeCase(t *testing.T, c *golden.Case, m *Model) {
	latents, _, _ := caseTensor(t, c, "in.latents")
	decoded, err := m.DecodeLatents(latents)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range keys(c.Outputs) {
		switch name {
		case "out.decoded":
			golden.AssertClose(t, c, name, tensors.MustCopyFlatData[float32](decoded), decoded.Shape().Dimensions)
		case "out.image_np":
			arr, err := Postprocess(decoded)
			if err != nil {
				t.Fatal(err)
			}
			golden.AssertClose(t, c, name, arr.Data, arr.Shape[:])
			checkImagesMatchArray(t, arr)
		default:
			t.Errorf("decode case has an output this test does not check: %s", name)
		}
	}
}

// checkImagesMatchArray checks the "pil" conversion against the "np" array
// it comes from.
func checkImagesMatchArray(t *testing.T, arr *ImageArray) {
	imgs, err := arr.Images()
	if err != nil {
		t.Fatal(err)
	}
	h, w := arr.Shape[1], arr.Shape[2]
	if len(imgs) != arr.Shape[0] || imgs[0].Bounds() != image.Rect(0, 0, w, h) {
		t.Fatalf("%d images of %v for array %v", len(imgs), imgs[0].Bounds(), arr.Shape)
	}
	px := imgs[0].(*image.NRGBA)
	for i := range h * w {
		for ch := range 3 {
			if got, want := px.Pix[4*i+ch], ToUint8(arr.Data[3*i+ch]); got != want {
				t.Fatalf("pixel %d channel %d: %d, want %d", i, ch, got, want)
			}
		}
	}
}

func checkEncodeCase(t *testing.T, c *golden.Case, m *Model) {
	x, xv, xShape := caseTensor(t, c, "in.x")
	checkPreprocessMatches(t, c, xv, xShape, m.Config.ScaleFactor())
	dist, err := m.Encode(x)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range keys(c.Outputs) {
		switch name {
		case "out.latent_mean":
			golden.AssertClose(t, c, name, dist.Mean, dist.Shape)
		case "out.latent_std":
			golden.AssertClose(t, c, name, dist.Std, dist.Shape)
		case "out.latent_mean_scaled":
			scaled, err := m.Config.ToUNet(dist.Mode(), dist.Shape)
			if err != nil {
				t.Fatal(err)
			}
			golden.AssertClose(t, c, name, scaled, dist.Shape)
		default:
			t.Errorf("encode case has an output this test does not check: %s", name)
		}
	}
}

// checkPreprocessMatches checks Preprocess's arithmetic against in.x. The
// case's image was resized with Pillow's Lanczos filter, which is not this
// package's, but the resized image is 8-bit, so in.x = 2·(u/255)−1 for
// bytes u: recover them, preprocess them, and demand in.x bit for bit.
func checkPreprocessMatches(t *testing.T, c *golden.Case, x []float32, shape []int, scale int) {
	if paths, err := c.ResourcePaths("images"); err != nil || len(paths) != shape[0] {
		t.Fatalf("case images %v (%v) for a batch of %d", paths, err, shape[0])
	}
	h, w := shape[2], shape[3]
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for ch := range 3 {
		for i := range h * w {
			u := math.Round((float64(x[ch*h*w+i]) + 1) / 2 * 255)
			img.Pix[4*i+ch] = uint8(u)
			img.Pix[4*i+3] = 255
		}
	}
	got, err := Preprocess([]image.Image{img}, scale)
	if err != nil {
		t.Fatal(err)
	}
	gv := tensors.MustCopyFlatData[float32](got)
	if !slices.Equal(got.Shape().Dimensions, shape) {
		t.Fatalf("preprocess shape %v, want %v", got.Shape().Dimensions, shape)
	}
	for i := range gv {
		if math.Float32bits(gv[i]) != math.Float32bits(x[i]) {
			t.Fatalf("preprocess value %d: %v, in.x has %v", i, gv[i], x[i])
		}
	}
}

func hasKey[V any](m map[string]V, k string) bool { _, ok := m[k]; return ok }

func keys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

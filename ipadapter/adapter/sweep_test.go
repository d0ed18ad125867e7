package adapter

import (
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
)

// plainUNetCase is the first unet case with one unmasked plain adapter.
func plainUNetCase(t *testing.T) *golden.Case {
	t.Helper()
	for _, c := range golden.Load(t).Group("unet") {
		paths, err := c.ResourcePaths("adapters")
		if err != nil || len(paths) != 1 || c.Resources["mask_images"] != nil {
			continue
		}
		if f := openFile(t, paths[0]); f.Kind() == Plain {
			return c
		}
	}
	t.Skip("no unet case with one plain adapter")
	return nil
}

// loadPlainAdapter loads plainUNetCase's adapter onto a fresh tiny UNet and
// reads the case's image embeddings.
func loadPlainAdapter(t *testing.T) (*golden.Case, *unet.Model, *Adapters, *ImageEmbeds) {
	t.Helper()
	c := plainUNetCase(t)
	m := tinyModel(t, c)
	paths, _ := c.ResourcePaths("adapters")
	ad, err := Load(m, paths...)
	if err != nil {
		t.Fatal(err)
	}
	embeds, err := EmbedsFromTensor(caseTensor(t, c, "in.image_embeds.0"), true)
	if err != nil {
		t.Fatal(err)
	}
	return c, m, ad, embeds
}

// TestScaleSweepCompilesOnce sweeps five scales, then switches the adapter
// off with a window, on one UNet graph and one projection graph: scales
// are inputs. The outputs differ per scale, scale 0 equals the UNet
// without adapters bitwise, and so does a step outside the window.
func TestScaleSweepCompilesOnce(t *testing.T) {
	c, m, ad, embeds := loadPlainAdapter(t)
	run := func(step, steps int) []float32 {
		t.Helper()
		cond, err := ad.Prepare(Request{Embeds: []*ImageEmbeds{embeds}, Batch: 1, CFG: true})
		if err != nil {
			t.Fatal(err)
		}
		in := baseInputs(t, c)
		if in.IP, err = cond.Inputs(step, steps); err != nil {
			t.Fatal(err)
		}
		out, err := m.Predict(in)
		if err != nil {
			t.Fatal(err)
		}
		return tensors.MustCopyFlatData[float32](out)
	}
	var outs [][]float32
	for _, s := range []float64{0, 0.25, 0.5, 0.75, 1} {
		if err := ad.SetScale(Scale(s)); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, run(0, 1))
	}
	for i := 1; i < len(outs); i++ {
		if slices.Equal(outs[i], outs[i-1]) {
			t.Errorf("scales %d and %d give the same output", i-1, i)
		}
	}
	if err := ad.SetWindows(Window{Start: 0.5, End: 1}); err != nil {
		t.Fatal(err)
	}
	if got := run(0, 4); !slices.Equal(got, outs[0]) {
		t.Error("a step before the window differs from scale 0")
	}
	if got := run(3, 4); !slices.Equal(got, outs[4]) {
		t.Error("a step inside the window differs from the full scale")
	}
	if n := m.Compilations(); n != 1 {
		t.Errorf("UNet compiled %d times for 5 scales and a window, want 1", n)
	}
	if n := ad.Projector().Compilations(); n != 1 {
		t.Errorf("projection compiled %d times, want 1", n)
	}
	plain, err := m.Predict(baseInputs(t, c))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tensors.MustCopyFlatData[float32](plain), outs[0]) {
		t.Error("scale 0 is not bitwise the UNet without adapters")
	}
}

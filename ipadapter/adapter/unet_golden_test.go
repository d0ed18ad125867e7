package adapter

import (
	"image"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/imageops"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
)

// tinyModel loads a case's UNet (one per test: adapters change its store).
func tinyModel(t *testing.T, c *golden.Case) *unet.Model {
	t.Helper()
	dir, err := c.Component("unet")
	if err != nil {
		t.Fatal(err)
	}
	b := testutil.Backend(t)
	m, err := unet.Load(dir, b, nn.DefaultOptions(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// baseInputs are a unet case's inputs without IP-Adapters.
func baseInputs(t *testing.T, c *golden.Case) unet.Inputs {
	t.Helper()
	return unet.Inputs{
		Sample:              caseTensor(t, c, "in.latents"),
		Timestep:            caseTensor(t, c, "in.timestep"),
		EncoderHiddenStates: caseTensor(t, c, "in.ehs"),
		TextEmbeds:          caseTensor(t, c, "in.text_embeds"),
		TimeIDs:             caseTensor(t, c, "in.time_ids"),
	}
}

// caseMasks preprocesses a case's mask images (resources.mask_images with
// params.mask_preprocess_kwargs), checks them against the case's
// in.ip_adapter_masks tensors bitwise, and returns them per adapter.
func caseMasks(t *testing.T, c *golden.Case, adapters int) []*Mask {
	t.Helper()
	var lists [][]string
	found, err := c.Resource("mask_images", &lists)
	if err != nil {
		t.Fatal(err)
	}
	if !found {
		return nil
	}
	var kwargs struct{ Height, Width int }
	if _, err := c.Param("mask_preprocess_kwargs", &kwargs); err != nil {
		t.Fatal(err)
	}
	var names []string
	if _, err := c.Param("ip_adapter_masks", &names); err != nil {
		t.Fatal(err)
	}
	masks := make([]*Mask, adapters)
	for a, list := range lists {
		var imgs []image.Image
		for _, rel := range list {
			p, err := c.Path(rel)
			if err != nil {
				t.Fatal(err)
			}
			img, err := imageops.LoadImage(t.Context(), p)
			if err != nil {
				t.Fatal(err)
			}
			imgs = append(imgs, img)
		}
		planes, h, w, err := imageops.MaskPreprocess(imgs, kwargs.Height, kwargs.Width)
		if err != nil {
			t.Fatal(err)
		}
		if masks[a], err = NewMask(planes, h, w); err != nil {
			t.Fatal(err)
		}
		want, shape, err := c.Float32s(names[a])
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(shape, masks[a].Shape) || !slices.Equal(want, masks[a].Data) {
			t.Fatalf("preprocessed masks %v differ from the case's %s %v", masks[a].Shape, names[a], shape)
		}
	}
	return masks
}

// TestUNetGolden runs every unet case that has adapters through the whole
// adapter path: files loaded into the UNet, set_ip_adapter_scale's
// argument from params.scale, the case's image_embeds as precomputed
// embeddings, masks from the mask images, tokens projected outside the
// UNet, then one UNet call compared with diffusers. A case whose scale is
// 0 everywhere must also be bitwise equal to the UNet without adapters.
func TestUNetGolden(t *testing.T) {
	golden.ForGroup(t, "unet", func(t *testing.T, c *golden.Case) {
		var embedNames []string
		if _, err := c.Param("image_embeds", &embedNames); err != nil {
			t.Fatal(err)
		}
		if len(embedNames) == 0 {
			t.Skip("no adapters in this case")
		}
		m := tinyModel(t, c)
		paths, err := c.ResourcePaths("adapters")
		if err != nil {
			t.Fatal(err)
		}
		ad, err := Load(m, paths...)
		if err != nil {
			t.Fatal(err)
		}
		scales, err := ParseScales(c.Params["scale"])
		if err != nil {
			t.Fatal(err)
		}
		if err := ad.SetScale(scales...); err != nil {
			t.Fatal(err)
		}
		in := baseInputs(t, c)
		req := Request{Batch: 1, CFG: true, Masks: caseMasks(t, c, len(paths))}
		sample := in.Sample.Shape().Dimensions
		req.LatentHeight, req.LatentWidth = sample[2], sample[3]
		if sample[0] != 2 {
			t.Fatalf("latents %v: the adapter cases are CFG batches of 2", sample)
		}
		for _, name := range embedNames {
			e, err := EmbedsFromTensor(caseTensor(t, c, name), true)
			if err != nil {
				t.Fatal(err)
			}
			req.Embeds = append(req.Embeds, e)
		}
		cond, err := ad.Prepare(req)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range cond.Warnings {
			t.Logf("warning: %s", w)
		}
		if in.IP, err = cond.Inputs(0, 1); err != nil {
			t.Fatal(err)
		}
		out, err := m.Predict(in)
		if err != nil {
			t.Fatal(err)
		}
		got := tensors.MustCopyFlatData[float32](out)
		golden.AssertClose(t, c, "out.noise_pred", got, out.Shape().Dimensions)

		if !allZero(cond) {
			return
		}
		plain := baseInputs(t, c)
		ref, err := m.Predict(plain)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tensors.MustCopyFlatData[float32](ref)) {
			t.Error("scale 0 everywhere is not bitwise equal to the UNet without adapters")
		}
	})
}

// allZero reports whether every adapter's scales are 0 on every layer.
func allZero(c *Conditioning) bool {
	for _, t := range c.tables {
		for _, v := range t.Values {
			if v != 0 {
				return false
			}
		}
	}
	return true
}

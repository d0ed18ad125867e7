package adapter

import (
	"image"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/imageops"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// tinyAdapters returns the fixture's plain and plus adapter files (from the
// first unet case with two adapters, in its load order).
func tinyAdapters(t *testing.T) (plain, plus *File) {
	t.Helper()
	for _, c := range golden.Load(t).Group("unet") {
		paths, err := c.ResourcePaths("adapters")
		if err != nil || len(paths) != 2 {
			continue
		}
		files := []*File{openFile(t, paths[0]), openFile(t, paths[1])}
		for _, f := range files {
			switch f.Kind() {
			case Plain:
				plain = f
			case Plus:
				plus = f
			}
		}
		if plain != nil && plus != nil {
			return plain, plus
		}
	}
	t.Fatal("no unet case loads a plain and a plus adapter")
	return nil, nil
}

var (
	encoderOnce sync.Map // component folder → *clip.VisionEncoder
)

// caseEncoder loads (once per folder) the image encoder of a case.
func caseEncoder(t *testing.T, c *golden.Case) *clip.VisionEncoder {
	t.Helper()
	dir, err := c.Component("image_encoder")
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := encoderOnce.Load(dir); ok {
		return e.(*clip.VisionEncoder)
	}
	e, err := clip.LoadVisionEncoder(dir, testutil.Backend(t), nn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	encoderOnce.Store(dir, e)
	return e
}

// zeroImageCase is the image_encoder case run on all-zero pixels: the one
// without an input file.
func zeroImageCase(t *testing.T) *golden.Case {
	t.Helper()
	for _, c := range golden.Load(t).Group("image_encoder") {
		if _, hasInput := c.Resources["input_files"]; !hasInput && c.Resources["images"] == nil {
			return c
		}
	}
	t.Fatal("no image_encoder case on zero pixels")
	return nil
}

// TestEncodeMatchesEncoderCases encodes each image_encoder case's image
// (the image of the preprocessing case it took its pixels from) for the
// plain and the plus adapter: plain gives image_embeds with zero
// negatives, plus gives hidden_states[-2] with the encoder's output on zero
// pixels as negatives.
func TestEncodeMatchesEncoderCases(t *testing.T) {
	plain, plus := tinyAdapters(t)
	zeros := zeroImageCase(t)
	byID := map[string]*golden.Case{}
	for _, c := range golden.Load(t).Cases {
		byID[c.ID] = c
	}
	golden.ForGroup(t, "image_encoder", func(t *testing.T, c *golden.Case) {
		var from string
		if found, err := c.Param("pixel_values_from_case", &from); err != nil || !found {
			t.Skip("not an encoder case on an image")
		}
		pre := byID[from]
		imgs, err := pre.ResourcePaths("images")
		if err != nil || len(imgs) != 1 {
			t.Fatalf("images of %s: %v %v", from, imgs, err)
		}
		img, err := imageops.LoadImage(t.Context(), imgs[0])
		if err != nil {
			t.Fatal(err)
		}
		feDir, err := pre.Component("feature_extractor")
		if err != nil {
			t.Fatal(err)
		}
		proc, err := imageops.LoadCLIPProcessorConfig(feDir)
		if err != nil {
			t.Fatal(err)
		}
		enc := ImageEncoder{Processor: proc, Vision: caseEncoder(t, c)}

		e, err := plain.Encode(enc, []image.Image{img})
		if err != nil {
			t.Fatal(err)
		}
		golden.AssertClose(t, c, "out.image_embeds", e.Positive, e.Shape)
		if slices.ContainsFunc(e.Negative, func(v float32) bool { return v != 0 }) || len(e.Negative) != len(e.Positive) {
			t.Error("plain negatives are not zeros of the same shape")
		}

		e, err = plus.Encode(enc, []image.Image{img, img})
		if err != nil {
			t.Fatal(err)
		}
		if e.NumImages() != 2 || e.Kind != Plus {
			t.Fatalf("plus embeddings %v of kind %s", e.Shape, e.Kind)
		}
		half := len(e.Positive) / 2
		one := append([]int{1}, e.Shape[1:]...)
		golden.AssertClose(t, c, "out.hidden_states_m2", e.Positive[:half], one)
		golden.AssertClose(t, c, "out.hidden_states_m2", e.Positive[half:], one)
		golden.AssertCloseTol(t, zeros, "out.hidden_states_m2", e.Negative[:half], one, mustTolerance(t, zeros, "out.hidden_states_m2"))
		if !slices.Equal(e.Negative[:half], e.Negative[half:]) {
			t.Error("the negative is not the same for both images")
		}
	})
}

func mustTolerance(t *testing.T, c *golden.Case, name string) golden.Tolerance {
	t.Helper()
	tol, ok := c.Tolerance(name)
	if !ok {
		t.Fatalf("case %s has no tolerance for %s", c.ID, name)
	}
	return tol
}

// TestPrecomputedEmbeds takes each pipeline case's ip_adapter_image_embeds
// as diffusers does, batches them back bitwise, and keeps them bitwise
// through SaveEmbeds/LoadEmbeds, with kind and encoder in the metadata.
func TestPrecomputedEmbeds(t *testing.T) {
	golden.ForGroup(t, "pipeline", func(t *testing.T, c *golden.Case) {
		var names []string
		if found, err := c.Param("ip_adapter_image_embeds", &names); err != nil || !found {
			t.Skip("no precomputed embeddings")
		}
		var embeds []*ImageEmbeds
		for _, n := range names {
			in := caseTensor(t, c, n)
			e, err := EmbedsFromTensor(in, true)
			if err != nil {
				t.Fatal(err)
			}
			back, err := e.Tensor()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(tensors.MustCopyFlatData[float32](back), tensors.MustCopyFlatData[float32](in)) {
				t.Fatal("[negative; positive] not restored bitwise")
			}
			// num_images_per_prompt 2: [neg, neg, pos, pos].
			b, err := e.Batch(2, true)
			if err != nil {
				t.Fatal(err)
			}
			d := b.Shape().Dimensions
			vals := tensors.MustCopyFlatData[float32](b)
			row := len(vals) / 4
			if d[0] != 4 || !slices.Equal(vals[:row], e.Negative) || !slices.Equal(vals[row:2*row], e.Negative) || !slices.Equal(vals[3*row:], e.Positive) {
				t.Fatalf("batch of 2 with CFG: %v", d)
			}
			e.Kind, e.Encoder = Plain, "test encoder"
			embeds = append(embeds, e)
		}
		path := filepath.Join(t.TempDir(), "embeds.safetensors")
		if err := SaveEmbeds(path, embeds); err != nil {
			t.Fatal(err)
		}
		loaded, err := LoadEmbeds(path)
		if err != nil {
			t.Fatal(err)
		}
		for a, e := range loaded {
			w := embeds[a]
			if e.Kind != w.Kind || e.Encoder != w.Encoder || !slices.Equal(e.Shape, w.Shape) || !slices.Equal(e.Positive, w.Positive) || !slices.Equal(e.Negative, w.Negative) {
				t.Errorf("adapter %d: loaded %+v differs", a, e)
			}
		}
	})
}

// TestEmbedsErrors checks the precomputed-embeddings rules.
func TestEmbedsErrors(t *testing.T) {
	_, err := EmbedsFromTensor(tensors.FromFlatDataAndDimensions(make([]float32, 24), 24), true)
	wantError(t, err, "3D or 4D tensors but is 1D")
	_, err = EmbedsFromTensor(tensors.FromFlatDataAndDimensions(make([]float32, 4*24), 4, 1, 24), true)
	wantError(t, err, "4 rows on axis 0", "needs 2")
	e, err := EmbedsFromTensor(tensors.FromFlatDataAndDimensions(make([]float32, 24), 1, 1, 24), false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Batch(1, true)
	wantError(t, err, "no negative (unconditional) half")
	_, err = LoadEmbeds(filepath.Join(t.TempDir(), "missing.safetensors"))
	wantError(t, err, "loading image embeddings")
}

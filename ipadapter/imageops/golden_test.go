package imageops

import (
	"context"
	"image"
	"regexp"
	"strconv"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
)

// TestCLIPPreprocessGolden runs every image_encoder case that stores
// preprocessed pixel values for an input image.
func TestCLIPPreprocessGolden(t *testing.T) {
	golden.ForGroup(t, "image_encoder", func(t *testing.T, c *golden.Case) {
		if _, ok := c.Outputs["out.pixel_values"]; !ok {
			t.Skip("no preprocessing output in this case (encoder cases are tested in ipadapter/clip)")
		}
		images, err := c.ResourcePaths("images")
		if err != nil || len(images) == 0 {
			t.Fatalf("case has pixel values but no input image: %v", err)
		}
		cfg := DefaultCLIPProcessorConfig(224)
		if dir, err := c.Component("feature_extractor"); err == nil {
			if cfg, err = LoadCLIPProcessorConfig(dir); err != nil {
				t.Fatal(err)
			}
		}
		var got []float32
		for _, p := range images {
			img, err := LoadImage(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			v, err := cfg.Preprocess(img)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, v...)
		}
		h, w := cfg.OutputSize()
		golden.AssertClose(t, c, "out.pixel_values", got, []int{len(images), 3, h, w})
	})
}

var downsampledName = regexp.MustCompile(`^out\.mask_downsampled(?:_img(\d+))?\.nq(\d+)$`)

// TestMaskGolden checks IPAdapterMaskProcessor.preprocess and downsample.
func TestMaskGolden(t *testing.T) {
	golden.ForGroup(t, "ip_mask", func(t *testing.T, c *golden.Case) {
		var lists [][]string
		if _, err := c.Resource("mask_images", &lists); err != nil || len(lists) != 1 {
			t.Fatalf("want one list of mask images, got %v (%v)", lists, err)
		}
		var kw struct{ Height, Width int }
		if _, err := c.Param("mask_preprocess_kwargs", &kw); err != nil {
			t.Fatal(err)
		}
		var masks []image.Image
		for _, rel := range lists[0] {
			p, err := c.Path(rel)
			if err != nil {
				t.Fatal(err)
			}
			img, err := LoadImage(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			masks = append(masks, img)
		}
		planes, h, w, err := MaskPreprocess(masks, kw.Height, kw.Width)
		if err != nil {
			t.Fatal(err)
		}
		var all []float32
		for _, p := range planes {
			all = append(all, p...)
		}
		golden.AssertClose(t, c, "out.masks", all, []int{1, len(planes), h, w})

		for name, spec := range c.Outputs {
			m := downsampledName.FindStringSubmatch(name)
			if m == nil {
				continue
			}
			t.Run(name, func(t *testing.T) {
				img := 0
				if m[1] != "" {
					img, _ = strconv.Atoi(m[1])
				}
				nq, _ := strconv.Atoi(m[2])
				if spec.Shape[1] != nq {
					t.Fatalf("%s has %d queries, name says %d", name, spec.Shape[1], nq)
				}
				ds, _, err := MaskDownsample(planes[img], h, w, nq)
				if err != nil {
					t.Fatal(err)
				}
				batch, dim := spec.Shape[0], spec.Shape[2]
				got := make([]float32, 0, batch*nq*dim)
				for range batch {
					for q := range nq {
						for range dim {
							got = append(got, ds[q])
						}
					}
				}
				golden.AssertClose(t, c, name, got, spec.Shape)
			})
		}
	})
}

func TestMaskGridMatchesLatentGrid(t *testing.T) {
	for _, tc := range []struct{ h, w, nq, rows, cols int }{
		{1024, 1024, 64 * 64, 64, 64},
		{1024, 1024, 32 * 32, 32, 32},
		{832, 1216, 52 * 76, 52, 76},
		{832, 1216, 26 * 38, 26, 38},
	} {
		r, c := MaskGrid(tc.h, tc.w, tc.nq)
		if r != tc.rows || c != tc.cols {
			t.Errorf("%+v: got %dx%d", tc, r, c)
		}
	}
}

func TestBadInput(t *testing.T) {
	cfg := DefaultCLIPProcessorConfig(224)
	if _, err := cfg.Preprocess(image.NewRGBA(image.Rect(0, 0, 0, 5))); err == nil {
		t.Error("zero-sized image accepted")
	}
	if _, err := cfg.Preprocess(nil); err == nil {
		t.Error("nil image accepted")
	}
	if _, err := Decode(bytesReader("not an image")); err == nil {
		t.Error("garbage decoded")
	}
	if _, err := LoadImage(context.Background(), "/nonexistent/x.png"); err == nil {
		t.Error("missing file loaded")
	}
	if _, _, _, err := MaskPreprocess([]image.Image{image.NewGray(image.Rect(0, 0, 5, 5))}, 0, 0); err == nil {
		t.Error("mask smaller than 8 pixels accepted")
	}
	bad := cfg
	bad.ImageMean = []float64{0.5}
	if _, err := bad.Preprocess(image.NewGray(image.Rect(0, 0, 4, 4))); err == nil {
		t.Error("bad mean accepted")
	}
}

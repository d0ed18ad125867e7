package adapter

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
)

// TestMaskGolden downsamples each ip_mask case's preprocessed masks
// (checked bitwise against out.masks by caseMasks) for the case's query
// counts and compares image i with out.mask_downsampled[_img<i>].nq<q>,
// which diffusers stores broadcast to [batch, nq, value_embed_dim].
func TestMaskGolden(t *testing.T) {
	golden.ForGroup(t, "ip_mask", func(t *testing.T, c *golden.Case) {
		masks := caseMasks(t, c, 1)
		var nqs []int
		if _, err := c.Param("num_queries", &nqs); err != nil || len(nqs) == 0 {
			t.Fatalf("num_queries %v: %v", nqs, err)
		}
		n := masks[0].Shape[1]
		ds, warnings, err := DownsampleMasks(masks, []int{n}, nqs)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("warnings: %q", warnings)
		for _, nq := range nqs {
			got := tensors.MustCopyFlatData[float32](ds[0][nq]) // [1, N, nq]
			for i := range n {
				name := "out.mask_downsampled"
				if i > 0 {
					name += fmt.Sprintf("_img%d", i)
				}
				name += fmt.Sprintf(".nq%d", nq)
				spec, ok := c.Outputs[name]
				if !ok {
					t.Fatalf("case has no %s", name)
				}
				batch, dim := spec.Shape[0], spec.Shape[2]
				var full []float32
				for range batch {
					for q := range nq {
						for range dim {
							full = append(full, got[i*nq+q])
						}
					}
				}
				golden.AssertClose(t, c, name, full, []int{batch, nq, dim})
			}
		}
	})
}

// TestMaskAspectWarning: a 2:1 mask for a square 8×8 latent makes a 6×10
// grid (60 values) for 64 queries, which diffusers zero-pads with a
// warning; the warning comes back and the tail is zero.
func TestMaskAspectWarning(t *testing.T) {
	plane := make([]float32, 8*16)
	for i := range plane {
		plane[i] = 1
	}
	m, err := NewMask([][]float32{plane}, 8, 16)
	if err != nil {
		t.Fatal(err)
	}
	ds, warnings, err := DownsampleMasks([]*Mask{m}, []int{1}, []int{64})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "6×10 = 60 values and zero-padded") {
		t.Fatalf("warnings %q", warnings)
	}
	got := tensors.MustCopyFlatData[float32](ds[0][64])
	for q, v := range got {
		switch {
		case q >= 60 && v != 0:
			t.Errorf("query %d: %g, want the zero padding", q, v)
		case q < 60 && math.Abs(float64(v)-1) > 1e-5: // float32 bicubic taps sum to 1 up to rounding
			t.Errorf("query %d: %g, want 1 (a uniform mask stays uniform)", q, v)
		}
	}
	// A matching aspect ratio gives no warning.
	if _, w, _ := DownsampleMasks([]*Mask{m}, []int{1}, []int{32}); len(w) != 0 {
		t.Errorf("4×8 latent grid warned: %q", w)
	}
}

// TestMaskErrors checks diffusers' mask validation, with the fix named.
func TestMaskErrors(t *testing.T) {
	ok := &Mask{Shape: []int{1, 2, 8, 8}, Data: make([]float32, 128)}
	for _, tc := range []struct {
		name   string
		masks  []*Mask
		images []int
		want   []string
	}{
		{"one entry for two adapters", []*Mask{ok}, []int{2, 1}, []string{"length of ip_adapter_masks array (1)", "number of IP-Adapters (2)"}},
		{"rank 3", []*Mask{{Shape: []int{2, 8, 8}, Data: make([]float32, 128)}}, []int{2}, []string{"shape [1, num_images_for_ip_adapter, height, width], got [2 8 8]", "MaskPreprocess"}},
		{"masks ≠ images", []*Mask{ok}, []int{3}, []string{"number of masks (2) does not match number of ip images (3) at index 0"}},
		{"data length", []*Mask{{Shape: []int{1, 1, 8, 8}, Data: make([]float32, 3)}}, []int{1}, []string{"shape [1, num_images_for_ip_adapter"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := DownsampleMasks(tc.masks, tc.images, []int{16})
			wantError(t, err, tc.want...)
		})
	}
	if ds, _, err := DownsampleMasks([]*Mask{nil, ok}, []int{1, 2}, []int{16, 64}); err != nil || ds[0] != nil || len(ds[1]) != 2 {
		t.Errorf("unmasked adapter next to a masked one: %v, %v", ds, err)
	}
}

// TestPipelineMaskWarnings preprocesses the masks of each pipeline case
// that has some (checked bitwise against the case's tensors) for the tiny
// UNet at the case's image size: diffusers warns exactly when the masks'
// aspect ratio differs from the image's, and so must DownsampleMasks.
func TestPipelineMaskWarnings(t *testing.T) {
	golden.ForGroup(t, "pipeline", func(t *testing.T, c *golden.Case) {
		if c.Resources["mask_images"] == nil {
			t.Skip("no masks")
		}
		paths, err := c.ResourcePaths("adapters")
		if err != nil {
			t.Fatal(err)
		}
		masks := caseMasks(t, c, len(paths))
		var size struct{ Height, Width int }
		if _, err := c.Param("height", &size.Height); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Param("width", &size.Width); err != nil {
			t.Fatal(err)
		}
		nq, err := caseUNet(t, c).MaskQueryCounts(size.Height/8, size.Width/8)
		if err != nil {
			t.Fatal(err)
		}
		images := make([]int, len(masks))
		mismatch := false
		for a, m := range masks {
			if m != nil {
				images[a] = m.Shape[1]
				mismatch = mismatch || m.Shape[2]*size.Width != m.Shape[3]*size.Height
			}
		}
		_, warnings, err := DownsampleMasks(masks, images, nq)
		if err != nil {
			t.Fatal(err)
		}
		if (len(warnings) > 0) != mismatch {
			t.Errorf("masks %v for a %d×%d image: warnings %q", masks[0].Shape, size.Height, size.Width, warnings)
		}
		t.Logf("%q", warnings)
	})
}

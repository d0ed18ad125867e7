package adapter

import (
	"image"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// TestBothFormatsGiveTheSameWeights: the .bin and .safetensors twin of each
// adapter file (every adapter of the unet cases) give the same kind, sizes
// and bytes for every UNet and projection tensor, hence the same outputs
// (the projection outputs are compared in TestImageProjGolden).
func TestBothFormatsGiveTheSameWeights(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range golden.Load(t).Group("unet") {
		paths, err := c.ResourcePaths("adapters")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			if seen[p] {
				continue
			}
			seen[p] = true
			layers := caseUNet(t, c).CrossAttnLayerInfo()
			a, b := openFile(t, p), openFile(t, twin(p))
			if a.Projection != b.Projection || !slices.Equal(a.Layers, b.Layers) {
				t.Fatalf("%s and %s: %+v vs %+v", a.Name, b.Name, a.Projection, b.Projection)
			}
			sa, err := a.UNetSource(layers, 1)
			if err != nil {
				t.Fatal(err)
			}
			sb, _ := b.UNetSource(layers, 1)
			pa, _ := a.ProjectionSource("p")
			pb, _ := b.ProjectionSource("p")
			n := sameBytes(t, sa, sb) + sameBytes(t, pa, pb)
			t.Logf("%s = %s: %d tensors (%s, %d layers)", a.Name, b.Name, n, a.Kind(), len(a.Layers))
		}
	}
	if len(seen) < 2 {
		t.Fatalf("only %d adapter files in the unet cases", len(seen))
	}
}

func sameBytes(t *testing.T, a, b weights.Source) int {
	t.Helper()
	if !slices.Equal(weights.Names(a), weights.Names(b)) {
		t.Fatalf("names differ: %v vs %v", weights.Names(a), weights.Names(b))
	}
	for _, n := range weights.Names(a) {
		x, err := a.Bytes(n)
		if err != nil {
			t.Fatal(err)
		}
		y, err := b.Bytes(n)
		if err != nil {
			t.Fatal(err)
		}
		ia, _ := a.Info(n)
		ib, _ := b.Info(n)
		if !slices.Equal(x, y) || ia.DType != ib.DType || !slices.Equal(ia.Shape, ib.Shape) {
			t.Errorf("%s differs", n)
		}
	}
	return len(weights.Names(a))
}

// TestAdapterRequestErrors checks the request-level errors with a loaded
// plain adapter: counts of images, embeddings and scales, embeddings of
// the wrong kind or width, masks without a latent size.
func TestAdapterRequestErrors(t *testing.T) {
	_, m, ad, good := loadPlainAdapter(t)
	_, err := ad.EncodeImages(ImageEncoder{}, [][]image.Image{{nil}, {nil}})
	wantError(t, err, "`ip_adapter_image` must have same length as the number of IP Adapters. Got 2 images and 1 IP Adapters")
	_, err = ad.EncodeImages(ImageEncoder{}, [][]image.Image{{nil}})
	wantError(t, err, "image encoder is not loaded")

	wantError(t, ad.SetScale(PerAdapter(0.8, 0.35)...), "cannot assign 2 scale_configs to 1 IP-Adapter")
	wantError(t, ad.SetScale(Blocks{Down: Side{1: {1, 1, 1}}}), "expected 2 scales for down.block_1, got 3")
	wantError(t, ad.SetWindows(), "0 IP-Adapter windows for 1 adapters")

	_, err = ad.Prepare(Request{Embeds: []*ImageEmbeds{good, good}, Batch: 1, CFG: true})
	wantError(t, err, "image_embeds must have the same length as image_projection_layers, got 2 and 1")
	plus := *good
	plus.Kind = Plus
	_, err = ad.Prepare(Request{Embeds: []*ImageEmbeds{&plus}, Batch: 1, CFG: true})
	wantError(t, err, "is a plain adapter but its embeddings were made for a plus one")
	wide := &ImageEmbeds{Shape: []int{1, 32}, Positive: make([]float32, 32), Negative: make([]float32, 32)}
	_, err = ad.Prepare(Request{Embeds: []*ImageEmbeds{wide}, Batch: 1, CFG: true})
	wantError(t, err, "has shape [1 32]", "image_embeds, [images, 24]")
	mask := &Mask{Shape: []int{1, 1, 8, 8}, Data: make([]float32, 64)}
	_, err = ad.Prepare(Request{Embeds: []*ImageEmbeds{good}, Batch: 1, CFG: true, Masks: []*Mask{mask}})
	wantError(t, err, "masks need the latent size")
	if err := ad.SetScale(PerImage{0.5, 0.5}); err != nil {
		t.Fatal(err) // per-image scales are checked against the masks later
	}
	_, err = ad.Prepare(Request{Embeds: []*ImageEmbeds{good}, Batch: 1, CFG: true, Masks: []*Mask{mask}, LatentHeight: 16, LatentWidth: 16})
	wantError(t, err, "number of masks (1) does not match number of scales (2)")

	// A valid request with a batch of 2 and CFG: [neg, neg, pos, pos] tokens.
	if err := ad.SetScale(Scale(0.6)); err != nil {
		t.Fatal(err)
	}
	cond, err := ad.Prepare(Request{Embeds: []*ImageEmbeds{good}, Batch: 2, CFG: true})
	if err != nil {
		t.Fatal(err)
	}
	tok := cond.Tokens(0)
	d := tok.Shape().Dimensions
	if !slices.Equal(d, []int{4, 1, 4, ad.File(0).Projection.CrossDim}) {
		t.Fatalf("tokens %v", d)
	}
	v := tensors.MustCopyFlatData[float32](tok)
	row := len(v) / 4
	if !slices.Equal(v[:row], v[row:2*row]) || !slices.Equal(v[2*row:3*row], v[3*row:]) || slices.Equal(v[:row], v[3*row:]) {
		t.Error("tokens are not [neg, neg, pos, pos]")
	}
	_, err = cond.Inputs(4, 4)
	wantError(t, err, "step 4 of 4 is out of range")
	if err := ad.Unload(); err != nil {
		t.Fatal(err)
	}
	for _, s := range m.UNet().IPSpecs(0) {
		if m.Store().GetVariable("/"+s.Name) != nil {
			t.Fatalf("%s still loaded after Unload", s.Name)
		}
	}
}

// TestReloadReplacesAdapters: loading again replaces the adapters (as
// diffusers does), so a second Load with another file leaves no weights of
// the first at index 1.
func TestReloadReplacesAdapters(t *testing.T) {
	var two *golden.Case
	for _, c := range golden.Load(t).Group("unet") {
		if p, _ := c.ResourcePaths("adapters"); len(p) == 2 {
			two = c
		}
	}
	if two == nil {
		t.Skip("no unet case with two adapters")
	}
	m := tinyModel(t, two)
	paths, _ := two.ResourcePaths("adapters")
	if _, err := Load(m, paths...); err != nil {
		t.Fatal(err)
	}
	ad, err := Load(m, paths[1])
	if err != nil {
		t.Fatal(err)
	}
	if ad.Len() != 1 {
		t.Fatalf("%d adapters", ad.Len())
	}
	for _, s := range m.UNet().IPSpecs(1) {
		if m.Store().GetVariable("/"+s.Name) != nil {
			t.Fatalf("%s of the previous load is still there", s.Name)
		}
	}
	for _, s := range m.UNet().IPSpecs(0) {
		if m.Store().GetVariable("/"+s.Name) == nil {
			t.Fatalf("%s is not loaded", s.Name)
		}
	}
}

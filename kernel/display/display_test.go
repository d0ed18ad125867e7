package display

import (
	"image"
	"image/color"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/seed11f6bdef/gonb-ipadapter/kernel"
	"github.com/seed11f6bdef/gonb-ipadapter/kernel/wire"
)

func TestColormapEnds(t *testing.T) {
	if c := Colormap(0); c != (color.RGBA{0, 0, 4, 255}) {
		t.Errorf("Colormap(0) = %v", c)
	}
	if c := Colormap(1); c != (color.RGBA{252, 255, 164, 255}) {
		t.Errorf("Colormap(1) = %v", c)
	}
	if Colormap(-1) != Colormap(0) || Colormap(2) != Colormap(1) || Colormap(math.NaN()) != Colormap(0) {
		t.Error("values outside [0, 1] are not clamped")
	}
	// Brightness grows along the map (it is read as "more attention").
	prev := -1.0
	for i := 0; i <= 20; i++ {
		c := Colormap(float64(i) / 20)
		l := 0.2126*float64(c.R) + 0.7152*float64(c.G) + 0.0722*float64(c.B)
		if l < prev {
			t.Fatalf("luminance falls at %d/20", i)
		}
		prev = l
	}
}

func TestResize(t *testing.T) {
	// A constant map stays constant; a map's corners stay put when it is
	// resized to the same size.
	flat := []float32{0.5, 0.5, 0.5, 0.5}
	for _, v := range Resize(flat, 2, 2, 5, 3) {
		if math.Abs(float64(v)-0.5) > 1e-6 {
			t.Fatalf("constant map resized to %v", v)
		}
	}
	m := []float32{1, 2, 3, 4, 5, 6}
	same := Resize(m, 3, 2, 3, 2)
	for i := range m {
		if same[i] != m[i] {
			t.Fatalf("identity resize changed %d: %v", i, same)
		}
	}
	// Upsampling a left-to-right ramp keeps it monotonic.
	up := Resize([]float32{0, 1}, 2, 1, 8, 1)
	for i := 1; i < len(up); i++ {
		if up[i] < up[i-1] {
			t.Fatalf("ramp not monotonic: %v", up)
		}
	}
	if up[0] != 0 || up[7] != 1 {
		t.Errorf("ramp ends %v, %v", up[0], up[7])
	}
}

func TestOverlayAndHeatMap(t *testing.T) {
	base := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i := range base.Pix {
		base.Pix[i] = 100
	}
	// No attention anywhere: the image shows unchanged.
	out := Overlay(base, make([]float32, 4), 2, 2, 0, 0.75)
	if c := out.RGBAAt(1, 1); c != (color.RGBA{100, 100, 100, 255}) {
		t.Errorf("empty map changed the image: %v", c)
	}
	// Full attention on the top-left cell colours it, not the opposite corner.
	out = Overlay(base, []float32{1, 0, 0, 0}, 2, 2, 0, 1)
	if out.RGBAAt(0, 0) == out.RGBAAt(3, 3) || out.RGBAAt(3, 3) != (color.RGBA{100, 100, 100, 255}) {
		t.Errorf("overlay corners %v, %v", out.RGBAAt(0, 0), out.RGBAAt(3, 3))
	}
	h := HeatMap([]float32{0, 2}, 2, 1, 0)
	if h.RGBAAt(0, 0) != Colormap(0) || h.RGBAAt(1, 0) != Colormap(1) {
		t.Errorf("heat-map %v %v", h.RGBAAt(0, 0), h.RGBAAt(1, 0))
	}
}

func TestMaskOverlay(t *testing.T) {
	base := image.NewRGBA(image.Rect(0, 0, 8, 4))
	for i := range base.Pix {
		base.Pix[i] = 200
	}
	// A 2×1 mask: left white, right black, stretched over 8×4.
	mask := image.NewGray(image.Rect(0, 0, 2, 1))
	mask.SetGray(0, 0, color.Gray{255})
	red := color.RGBA{255, 0, 0, 255}
	out := MaskOverlay(base, mask, red)
	if c := out.RGBAAt(1, 2); c != (color.RGBA{228, 100, 100, 255}) {
		t.Errorf("inside the mask: %v, want the tint blended in", c)
	}
	if c := out.RGBAAt(6, 2); c != (color.RGBA{70, 70, 70, 255}) {
		t.Errorf("outside the mask: %v, want the image dimmed", c)
	}
}

func TestGridHTML(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 600, 300))
	h, err := GridHTML([][]image.Image{{img, img}, {img, nil}}, []string{"seed <0>", "seed 1"}, []string{"scale 0", "scale 1"}, "a & b", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"seed &lt;0&gt;", "scale 1", "a &amp; b", "<caption"} {
		if !strings.Contains(h, want) {
			t.Errorf("grid lacks %q", want)
		}
	}
	if n := strings.Count(h, "<img"); n != 3 {
		t.Errorf("%d images in the grid, want 3", n)
	}
	if !strings.Contains(h, "width: 100px") {
		t.Error("display width not set")
	}
}

func TestShrink(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 1024, 512))
	s := shrink(img, 200)
	if s.Bounds().Dx() != 200 || s.Bounds().Dy() != 100 {
		t.Errorf("shrunk to %v", s.Bounds())
	}
}

// attention builds an attention result with two layers of different grids.
func attention() *kernel.Attention {
	fine := wire.LayerMaps{Name: "down_blocks.1.attentions.0.transformer_blocks.0.attn2", Level: 1, Height: 2, Width: 2,
		Text: &wire.Map{Keys: 2, Data: wire.Floats{1, 1, 1, 1, 0, 0, 0, 0}},
		IP:   []wire.IPMap{{Adapter: 0, Image: -1, Scale: 0.5, Map: wire.Map{Keys: 1, Data: wire.Floats{1, 1, 1, 1}}}}}
	coarse := wire.LayerMaps{Name: "mid_block.attentions.0.transformer_blocks.0.attn2", Level: 2, Height: 1, Width: 1,
		Text: &wire.Map{Keys: 2, Data: wire.Floats{0, 1}},
		IP:   []wire.IPMap{{Adapter: 0, Image: -1, Scale: 1, Map: wire.Map{Keys: 1, Data: wire.Floats{1}}}}}
	return &kernel.Attention{TextTokens: []string{"<start>", "cat"}, Layers: []wire.LayerMaps{fine, coarse}}
}

func TestTextAndImageMaps(t *testing.T) {
	att := attention()
	m, err := TextMaps(att)
	if err != nil {
		t.Fatal(err)
	}
	if m.W != 2 || m.H != 2 || len(m.Data) != 2 {
		t.Fatalf("mean maps %d×%d with %d keys, want 2×2 with 2", m.W, m.H, len(m.Data))
	}
	// Token 0: 1 in the fine layer, 0 in the coarse one: mean 0.5.
	if m.Data[0][3] != 0.5 || m.Data[1][0] != 0.5 {
		t.Errorf("mean maps %v", m.Data)
	}
	if s := m.Share(1); s != 0.5 {
		t.Errorf("share %g", s)
	}
	only, err := TextMaps(att, "mid_block")
	if err != nil || only.W != 1 || only.Data[1][0] != 1 {
		t.Errorf("mid block only: %+v, %v", only, err)
	}
	if _, err := TextMaps(att, "up_blocks"); err == nil {
		t.Error("no layer matches, no error")
	}
	ip, scale, err := ImageMaps(att, 0, -1)
	if err != nil || scale != 0.75 || ip.Data[0][0] != 1 {
		t.Errorf("image maps %+v, scale %g, %v", ip, scale, err)
	}
	imgs, caps := m.Pictures([]int{1}, nil)
	if len(imgs) != 1 || caps[0] != "cat (50.0%)" {
		t.Errorf("pictures %d, captions %q", len(imgs), caps)
	}
}

func TestShortLayer(t *testing.T) {
	if got := shortLayer("up_blocks.0.attentions.1.transformer_blocks.3.attn2"); got != "up0.a1.t3" {
		t.Errorf("shortLayer = %q", got)
	}
}

func TestProgressHTML(t *testing.T) {
	h := ProgressHTML("bear <1>", kernel.Progress{Step: 3, Total: 10, Elapsed: 1500 * time.Millisecond, ETA: 3500 * time.Millisecond}, 64)
	for _, want := range []string{"bear &lt;1&gt;", `value="3" max="10"`, "step 3/10", "1.5s elapsed", "about 3.5s left"} {
		if !strings.Contains(h, want) {
			t.Errorf("progress lacks %q: %s", want, h)
		}
	}
	if h := ProgressHTML("x", kernel.Progress{Step: 10, Total: 10}, 64); strings.Contains(h, "left") {
		t.Error("a finished run shows an ETA")
	}
}

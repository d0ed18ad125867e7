package imageops

import (
	"image"
	"image/color"
	"testing"
)

func TestCompositeOnWhite(t *testing.T) {
	p := &Pixels{W: 3, H: 1, Channels: 4, Pix: []uint8{10, 20, 30, 0, 10, 20, 30, 255, 100, 0, 200, 128}}
	got := CompositeOnWhite(p).Pix
	want := []uint8{255, 255, 255, 10, 20, 30}
	for i, v := range want {
		if got[i] != v {
			t.Fatalf("pixel byte %d: got %d want %d", i, got[i], v)
		}
	}
	// Half-transparent: between the colour and white.
	if got[6] <= 100 || got[6] >= 255 || got[7] <= 0 || got[7] >= 255 {
		t.Errorf("half alpha gave %v", got[6:9])
	}
}

func TestToGrayUsesPillowLuma(t *testing.T) {
	p := &Pixels{W: 2, H: 1, Channels: 3, Pix: []uint8{255, 0, 0, 0, 0, 255}}
	g := ToGray(p).Pix
	if g[0] != 76 || g[1] != 29 { // Pillow: L of pure red is 76, of pure blue 29
		t.Errorf("got %v", g)
	}
}

func TestResizeKeepsUniformImagesUniform(t *testing.T) {
	for _, f := range []Filter{Bicubic, Lanczos, Bilinear, Nearest} {
		for _, ch := range []int{1, 3, 4} {
			p := NewPixels(37, 23, ch)
			for i := range p.Pix {
				p.Pix[i] = 200
			}
			out, err := Resize(p, 16, 41, f)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range out.Pix {
				if v != 200 {
					t.Fatalf("%v/%d channels: value %d at %d", f, ch, v, i)
				}
			}
		}
	}
}

func TestFromImageModes(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 2, 2))
	if p, _ := FromImage(gray); p.Channels != 1 {
		t.Errorf("gray → %d channels", p.Channels)
	}
	rgba := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	rgba.Set(0, 0, color.NRGBA{1, 2, 3, 4})
	if p, _ := FromImage(rgba); p.Channels != 4 || p.Pix[3] != 4 || p.Pix[0] != 1 {
		t.Errorf("NRGBA → %+v", p)
	}
	opaque := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	for i := 3; i < len(opaque.Pix); i += 4 {
		opaque.Pix[i] = 255
	}
	if p, _ := FromImage(opaque); p.Channels != 3 {
		t.Errorf("opaque NRGBA → %d channels", p.Channels)
	}
}

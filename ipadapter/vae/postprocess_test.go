package vae

import (
	"image"
	"image/color"
	"math"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes/float16"
	"github.com/gomlx/gomlx/core/tensors"
)

// TestToUint8RoundsHalfToEven finds, for every k, the float32 values v
// whose float32 product v·255 is exactly k + 0.5, and checks NumPy's
// rounding: the tie goes to the even neighbour, and the floats on either
// side of v go down and up.
func TestToUint8RoundsHalfToEven(t *testing.T) {
	if got := ToUint8(0.5); got != 128 { // 127.5 → 128
		t.Errorf("ToUint8(0.5) = %d, want 128", got)
	}
	ties := map[bool]int{}
	for k := range 255 {
		tie := float32(k) + 0.5
		v := float32((float64(k) + 0.5) / 255)
		for _, c := range []float32{v, math.Nextafter32(v, 0), math.Nextafter32(v, 2)} {
			if c*255 != tie {
				continue
			}
			want := uint8(k)
			if k%2 == 1 {
				want = uint8(k + 1)
			}
			if got := ToUint8(c); got != want {
				t.Errorf("ToUint8(%v) (×255 = %v) = %d, want %d", c, tie, got, want)
			}
			if below := math.Nextafter32(c, 0); below*255 < tie && ToUint8(below) != uint8(k) {
				t.Errorf("ToUint8(%v) = %d, want %d", below, ToUint8(below), k)
			}
			if above := math.Nextafter32(c, 2); above*255 > tie && ToUint8(above) != uint8(k+1) {
				t.Errorf("ToUint8(%v) = %d, want %d", above, ToUint8(above), k+1)
			}
			ties[k%2 == 0]++
			break
		}
	}
	if ties[true] < 20 || ties[false] < 20 {
		t.Fatalf("found %d ties with even k and %d with odd k; the test needs more", ties[true], ties[false])
	}
	t.Logf("%d ties with even k (rounded down), %d with odd k (rounded up)", ties[true], ties[false])
	for v, want := range map[float32]uint8{0: 0, 1: 255, -0.2: 0, 1.5: 255, float32(math.NaN()): 0, 1.0 / 255: 1} {
		if got := ToUint8(v); got != want {
			t.Errorf("ToUint8(%v) = %d, want %d", v, got, want)
		}
	}
}

func TestPostprocessLayoutAndClamp(t *testing.T) {
	// [1, 3, 1, 2]: channel c, pixel x.
	in := []float32{-1, 1, 0, 3, -3, float32(math.NaN())}
	arr, err := Postprocess(tensors.FromFlatDataAndDimensions(in, 1, 3, 1, 2))
	if err != nil {
		t.Fatal(err)
	}
	if arr.Shape != [4]int{1, 1, 2, 3} {
		t.Fatalf("shape %v", arr.Shape)
	}
	want := []float32{0, 0.5, 0, 1, 1, float32(math.NaN())} // pixel 0: channels -1, 0, -3; pixel 1: 1, 3, NaN
	for i, w := range want {
		if got := arr.Data[i]; got != w && !(math.IsNaN(float64(w)) && math.IsNaN(float64(got))) {
			t.Errorf("value %d: %v, want %v", i, got, w)
		}
	}
	if _, err := Postprocess(tensors.FromFlatDataAndDimensions([]float32{1}, 1)); err == nil {
		t.Error("rank-1 tensor accepted")
	}
	if _, err := Postprocess(tensors.FromFlatDataAndDimensions([]int32{1}, 1, 1, 1, 1)); err == nil {
		t.Error("int tensor accepted")
	}
}

// TestPostprocessHalfRoundsEachStep checks that a float16 decoder output is
// denormalised in float16 as PyTorch does: 2⁻¹¹/2 + 0.5 is not a float16
// and rounds (to even) to 0.5, where float32 keeps 0.5 + 2⁻¹².
func TestPostprocessHalfRoundsEachStep(t *testing.T) {
	v := float32(math.Ldexp(1, -11))
	half, err := Postprocess(tensors.FromFlatDataAndDimensions([]float16.Float16{float16.FromFloat32(v)}, 1, 1, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	full, err := Postprocess(tensors.FromFlatDataAndDimensions([]float32{v}, 1, 1, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	if half.Data[0] != 0.5 || full.Data[0] != 0.5+float32(math.Ldexp(1, -12)) {
		t.Errorf("float16 gives %v (want 0.5), float32 gives %v", half.Data[0], full.Data[0])
	}
}

func TestImages(t *testing.T) {
	gray := &ImageArray{Data: []float32{0, 0.5, 1, 0.25}, Shape: [4]int{1, 2, 2, 1}}
	imgs, err := gray.Images()
	if err != nil {
		t.Fatal(err)
	}
	g, ok := imgs[0].(*image.Gray)
	if !ok || string(g.Pix) != string([]byte{0, 128, 255, 64}) {
		t.Errorf("gray image %T %v", imgs[0], imgs[0])
	}
	rgb := &ImageArray{Data: []float32{0, 0.5, 1, 1, 0.5, 0}, Shape: [4]int{2, 1, 1, 3}}
	imgs, err = rgb.Images()
	if err != nil || len(imgs) != 2 {
		t.Fatal(imgs, err)
	}
	if c := imgs[1].At(0, 0).(color.NRGBA); c != (color.NRGBA{255, 128, 0, 255}) {
		t.Errorf("second image pixel %v", c)
	}
	if _, err := (&ImageArray{Data: make([]float32, 4), Shape: [4]int{1, 1, 1, 4}}).Images(); err == nil {
		t.Error("4 channels converted")
	}
	if _, err := (&ImageArray{Data: make([]float32, 2), Shape: [4]int{1, 1, 1, 3}}).Images(); err == nil {
		t.Error("short data converted")
	}
}

func TestPreprocess(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 8, 16))
	img.Set(1, 0, color.NRGBA{255, 128, 0, 0}) // transparent: colour kept, alpha dropped
	gray := image.NewGray(image.Rect(0, 0, 8, 16))
	gray.SetGray(1, 0, color.Gray{128})
	x, err := Preprocess([]image.Image{img, gray}, 8)
	if err != nil {
		t.Fatal(err)
	}
	if !equalInts(x.Shape().Dimensions, []int{2, 3, 16, 8}) {
		t.Fatalf("shape %v", x.Shape())
	}
	v := tensors.MustCopyFlatData[float32](x)
	plane := 16 * 8
	mid := float32(2*(float32(128)/255)) - 1
	for i, want := range map[int]float32{0: -1, 1: 1, plane + 1: mid, 2*plane + 1: -1, 3*plane + 1: mid, 4*plane + 1: mid, 5*plane + 1: mid, 5 * plane: -1} {
		if v[i] != want {
			t.Errorf("value %d: %v, want %v", i, v[i], want)
		}
	}
	for _, tc := range []struct {
		imgs []image.Image
		sf   int
		want string
	}{
		{nil, 8, "no images"},
		{[]image.Image{image.NewGray(image.Rect(0, 0, 12, 16))}, 8, "16×12 (H×W); both must be positive multiples of 8"},
		{[]image.Image{img, image.NewGray(image.Rect(0, 0, 16, 16))}, 8, "image 1 is 16×16, image 0 is 16×8"},
		{[]image.Image{img, nil}, 8, "image 1 is nil"},
		{[]image.Image{img}, 0, "scale factor 0"},
	} {
		if _, err := Preprocess(tc.imgs, tc.sf); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one containing %q", err, tc.want)
		}
	}
	if got := Normalize([]float32{0, 0.5, 1}); got[0] != -1 || got[1] != 0 || got[2] != 1 {
		t.Errorf("Normalize: %v", got)
	}
}

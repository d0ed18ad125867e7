package imagegrid

import (
	"image"
	"image/color"
	"strings"
	"testing"
)

// solid returns a w×h image of one colour, with a distinct top-left
// pixel so that a misplaced or flipped copy is caught.
func solid(w, h int, c color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, c)
		}
	}
	img.SetNRGBA(0, 0, color.NRGBA{R: 1, G: 2, B: 3, A: 255})
	return img
}

// sameAt reports whether img appears pixel for pixel in sheet at p.
func sameAt(sheet *image.NRGBA, img image.Image, p image.Point) bool {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			want := color.NRGBAModel.Convert(img.At(x, y))
			if sheet.NRGBAAt(p.X+x-b.Min.X, p.Y+y-b.Min.Y) != want {
				return false
			}
		}
	}
	return true
}

// inked counts the pixels of r that differ from the background.
func inked(sheet *image.NRGBA, r image.Rectangle, bg color.NRGBA) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if sheet.NRGBAAt(x, y) != bg {
				n++
			}
		}
	}
	return n
}

var white = color.NRGBA{255, 255, 255, 255}

func TestGridPlacesEveryImage(t *testing.T) {
	red, green, blue := solid(32, 24, color.NRGBA{R: 200, A: 255}), solid(32, 24, color.NRGBA{G: 200, A: 255}), solid(32, 24, color.NRGBA{B: 200, A: 255})
	grey := solid(32, 24, color.NRGBA{100, 100, 100, 255})
	images := [][]image.Image{{red, green}, {blue, grey}}
	rows, cols := []string{"seed 0", "seed 1"}, []string{"scale 0", "scale 0.5"}
	o := Options{FontSize: 12, Gap: 4}
	l, err := o.Layout(images, rows, cols, "a polar bear")
	if err != nil {
		t.Fatal(err)
	}
	sheet, err := o.Grid(images, rows, cols, "a polar bear")
	if err != nil {
		t.Fatal(err)
	}
	if sheet.Bounds().Size() != l.Size {
		t.Fatalf("sheet is %v, layout says %v", sheet.Bounds().Size(), l.Size)
	}
	for r, row := range images {
		for c, img := range row {
			if !sameAt(sheet, img, l.Cells[r][c].Min) {
				t.Errorf("image [%d][%d] is not at %v", r, c, l.Cells[r][c].Min)
			}
		}
	}
	// Cells are side by side with the gap between them, in order.
	if d := l.Cells[0][1].Min.X - l.Cells[0][0].Max.X; d != 4 {
		t.Errorf("gap between columns %d, want 4", d)
	}
	if d := l.Cells[1][0].Min.Y - l.Cells[0][0].Max.Y; d != 4 {
		t.Errorf("gap between rows %d, want 4", d)
	}
	// Text is drawn: above the first row (title and column labels) and
	// left of the cells (row labels); nothing else but the images.
	above := image.Rect(0, 0, l.Size.X, l.Cells[0][0].Min.Y)
	left := image.Rect(0, l.Cells[0][0].Min.Y, l.Cells[0][0].Min.X, l.Size.Y)
	if inked(sheet, above, white) == 0 || inked(sheet, left, white) == 0 {
		t.Error("no text drawn above or left of the grid")
	}
	right := image.Rect(l.Cells[0][1].Max.X, l.Cells[0][0].Min.Y, l.Size.X, l.Size.Y)
	if n := inked(sheet, right, white); n != 0 {
		t.Errorf("%d pixels drawn right of the grid", n)
	}
}

func TestGridWithoutLabels(t *testing.T) {
	img := solid(16, 16, color.NRGBA{R: 9, A: 255})
	o := Options{Gap: -1}
	sheet, err := o.Grid([][]image.Image{{img, img, img}}, nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	// No labels, no title, no gaps: exactly the three images.
	if got := sheet.Bounds().Size(); got != (image.Point{X: 48, Y: 16}) {
		t.Fatalf("sheet is %v, want 48×16", got)
	}
	for c := range 3 {
		if !sameAt(sheet, img, image.Point{X: 16 * c}) {
			t.Errorf("image %d misplaced", c)
		}
	}
}

// TestGridRaggedAndSmaller: short rows and nil images leave background;
// a smaller image sits at its cell's corner; cells take the largest size.
func TestGridRaggedAndSmaller(t *testing.T) {
	big, small := solid(40, 30, color.NRGBA{R: 50, A: 255}), solid(10, 10, color.NRGBA{G: 50, A: 255})
	images := [][]image.Image{{big, small}, {nil}}
	o := Options{FontSize: 12, Gap: 2}
	l, err := o.Layout(images, nil, []string{"a", "b"}, "")
	if err != nil {
		t.Fatal(err)
	}
	sheet, err := o.Grid(images, nil, []string{"a", "b"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Cells[0][1].Size(); got != (image.Point{X: 40, Y: 30}) {
		t.Errorf("cell size %v, want the largest image's 40×30", got)
	}
	if !sameAt(sheet, small, l.Cells[0][1].Min) {
		t.Error("the small image is not at its cell's corner")
	}
	rest := image.Rectangle{Min: l.Cells[0][1].Min.Add(image.Pt(10, 10)), Max: l.Cells[0][1].Max}
	if n := inked(sheet, rest, white); n != 0 {
		t.Errorf("%d pixels drawn in the small image's cell outside it", n)
	}
	if n := inked(sheet, l.Cells[1][0], white); n != 0 {
		t.Errorf("the nil image's cell has %d drawn pixels", n)
	}
}

func TestGridErrors(t *testing.T) {
	img := solid(8, 8, color.NRGBA{A: 255})
	for _, tc := range []struct {
		name       string
		images     [][]image.Image
		rows, cols []string
		want       string
	}{
		{"no images", nil, nil, nil, "no images"},
		{"empty rows", [][]image.Image{{}, {}}, nil, nil, "no images"},
		{"all nil", [][]image.Image{{nil}}, nil, nil, "nil or empty"},
		{"row labels", [][]image.Image{{img}}, []string{"a", "b"}, nil, "2 row labels for 1 rows"},
		{"column labels", [][]image.Image{{img, img}}, nil, []string{"a"}, "1 column labels for 2 columns"},
	} {
		_, err := Grid(tc.images, tc.rows, tc.cols, "")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// TestDefaultFontSize follows the cell width, within readable bounds.
func TestDefaultFontSize(t *testing.T) {
	for _, tc := range []struct{ cell, want int }{{64, minFontSize}, {128, minFontSize}, {384, 32}, {1024, maxFontSize}} {
		l, err := Options{}.Layout([][]image.Image{{solid(tc.cell, 8, color.NRGBA{A: 255})}}, nil, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		if l.FontSize != float64(tc.want) {
			t.Errorf("cell %d: font size %g, want %d", tc.cell, l.FontSize, tc.want)
		}
	}
}

// Package imagegrid lays images out as a labelled contact sheet: a title
// on top, a label above each column and left of each row, the images in
// a grid. It is diffusers' make_image_grid with the labels a parameter
// sweep needs to be read ("scale 0.25", "seed 3"), so that a sheet saved
// by the command-line tool or shown in a notebook explains itself.
//
// Text is drawn with the Go fonts (golang.org/x/image/font/gofont), which
// are compiled in: no system font is needed, and a sheet looks the same
// on every machine.
package imagegrid

import (
	"image"
	"image/color"
	"image/draw"
)

// Options tune a sheet's look. The zero value is black text on white,
// with a font size and gaps derived from the cell size.
type Options struct {
	// FontSize is the height of the label font in pixels; 0 picks one
	// from the cell width (readable from 128-pixel cells to 1024-pixel
	// ones).
	FontSize float64
	// Gap is the space between cells and around the sheet in pixels;
	// 0 means half the font size, a negative value no space at all.
	Gap int
	// Background and Foreground colour the sheet and its text; nil means
	// white and black.
	Background, Foreground color.Color
}

// Grid draws images as a contact sheet with the default Options.
// images[r][c] is the image of row r, column c; rows may be shorter than
// the longest one and a nil image leaves its cell empty. rowLabels and
// colLabels may be nil; otherwise they give one label per row and per
// column. title may be empty; a long one is wrapped.
func Grid(images [][]image.Image, rowLabels, colLabels []string, title string) (*image.NRGBA, error) {
	return Options{}.Grid(images, rowLabels, colLabels, title)
}

// Grid draws images as a contact sheet (see the package function Grid).
// Every cell has the size of the largest image; smaller images sit at
// their cell's top-left corner, copied pixel for pixel.
func (o Options) Grid(images [][]image.Image, rowLabels, colLabels []string, title string) (*image.NRGBA, error) {
	l, err := o.Layout(images, rowLabels, colLabels, title)
	if err != nil {
		return nil, err
	}
	bg, fg := o.colors()
	sheet := image.NewNRGBA(image.Rectangle{Max: l.Size})
	draw.Draw(sheet, sheet.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)
	for r, row := range images {
		for c, img := range row {
			if img != nil {
				at := image.Rectangle{Min: l.Cells[r][c].Min, Max: l.Cells[r][c].Min.Add(img.Bounds().Size())}
				draw.Draw(sheet, at, img, img.Bounds().Min, draw.Src)
			}
		}
	}
	faces, err := newFaces(l.FontSize)
	if err != nil {
		return nil, err
	}
	defer faces.close()
	for _, t := range l.texts {
		face := faces.regular
		if t.bold {
			face = faces.bold
		}
		drawText(sheet, face, fg, t.text, t.dot)
	}
	return sheet, nil
}

// colors returns the background and foreground with their defaults.
func (o Options) colors() (bg, fg color.Color) {
	bg, fg = o.Background, o.Foreground
	if bg == nil {
		bg = color.White
	}
	if fg == nil {
		fg = color.Black
	}
	return bg, fg
}

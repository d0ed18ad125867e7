package imagegrid

import (
	"errors"
	"fmt"
	"image"
	"math"

	"golang.org/x/image/math/fixed"
)

// Layout is where everything of a sheet goes, computed before drawing:
// callers that save the cells separately, or tests, can find each image
// in the sheet.
type Layout struct {
	// Size is the sheet's size.
	Size image.Point
	// Cells[r][c] is the cell of images[r][c] (the largest image's size);
	// the image is drawn at its top-left corner.
	Cells [][]image.Rectangle
	// FontSize is the label font's size in pixels.
	FontSize float64

	texts []placedText
}

// placedText is one line of text at its baseline origin.
type placedText struct {
	text string
	dot  fixed.Point26_6
	bold bool
}

// Sizes of the automatic font, in pixels: a twelfth of the cell width,
// kept between what is readable and what leaves room for the images.
const (
	minFontSize = 12
	maxFontSize = 40
	// maxTitleLines caps a wrapped title; the last line ends in "…".
	maxTitleLines = 3
)

// Layout computes the sheet Grid would draw, checking the arguments.
func (o Options) Layout(images [][]image.Image, rowLabels, colLabels []string, title string) (*Layout, error) {
	rows, cols := len(images), 0
	var cell image.Point
	for _, row := range images {
		cols = max(cols, len(row))
		for _, img := range row {
			if img != nil {
				s := img.Bounds().Size()
				cell = image.Point{X: max(cell.X, s.X), Y: max(cell.Y, s.Y)}
			}
		}
	}
	switch {
	case rows == 0 || cols == 0:
		return nil, errors.New("imagegrid: no images")
	case cell.X == 0 || cell.Y == 0:
		return nil, errors.New("imagegrid: every image is nil or empty")
	case rowLabels != nil && len(rowLabels) != rows:
		return nil, fmt.Errorf("imagegrid: %d row labels for %d rows", len(rowLabels), rows)
	case colLabels != nil && len(colLabels) != cols:
		return nil, fmt.Errorf("imagegrid: %d column labels for %d columns", len(colLabels), cols)
	}

	l := &Layout{FontSize: o.FontSize}
	if l.FontSize <= 0 {
		l.FontSize = math.Round(min(max(float64(cell.X)/12, minFontSize), maxFontSize))
	}
	faces, err := newFaces(l.FontSize)
	if err != nil {
		return nil, err
	}
	defer faces.close()
	lineH := faces.lineHeight()
	gap := o.Gap
	switch {
	case gap == 0:
		gap = int(math.Ceil(l.FontSize / 2))
	case gap < 0:
		gap = 0
	}

	// Row labels take the width of the longest one, at most one cell.
	labelW := 0
	for _, s := range rowLabels {
		labelW = max(labelW, min(textWidth(faces.regular, s), cell.X))
	}
	if labelW > 0 {
		labelW += gap
	}
	gridW := cols*cell.X + (cols-1)*gap
	width := gap + labelW + gridW + gap

	y := gap
	if title != "" {
		for _, line := range wrap(faces.bold, title, width-2*gap, maxTitleLines) {
			l.texts = append(l.texts, placedText{text: line, dot: baseline(faces.bold, gap, y), bold: true})
			y += lineH
		}
		y += gap
	}
	gridX := gap + labelW
	if colLabels != nil {
		for c, s := range colLabels {
			s = truncate(faces.regular, s, cell.X)
			x := gridX + c*(cell.X+gap) + (cell.X-textWidth(faces.regular, s))/2
			l.texts = append(l.texts, placedText{text: s, dot: baseline(faces.regular, x, y)})
		}
		y += lineH + gap/2
	}
	l.Cells = make([][]image.Rectangle, rows)
	for r, row := range images {
		top := y + r*(cell.Y+gap)
		if rowLabels != nil {
			s := truncate(faces.regular, rowLabels[r], cell.X)
			l.texts = append(l.texts, placedText{text: s, dot: baseline(faces.regular, gap, top+(cell.Y-lineH)/2)})
		}
		l.Cells[r] = make([]image.Rectangle, len(row))
		for c := range row {
			at := image.Point{X: gridX + c*(cell.X+gap), Y: top}
			l.Cells[r][c] = image.Rectangle{Min: at, Max: at.Add(cell)}
		}
	}
	l.Size = image.Point{X: width, Y: y + rows*cell.Y + (rows-1)*gap + gap}
	return l, nil
}

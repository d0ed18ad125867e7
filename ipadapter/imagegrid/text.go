package imagegrid

import (
	"fmt"
	"image"
	"image/color"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// parsedFonts parses the compiled-in Go fonts once per process; faces
// are made per sheet, since a font.Face is not safe for concurrent use.
var parsedFonts = sync.OnceValues(func() ([2]*opentype.Font, error) {
	var fonts [2]*opentype.Font
	for i, ttf := range [][]byte{goregular.TTF, gobold.TTF} {
		f, err := opentype.Parse(ttf)
		if err != nil {
			return fonts, fmt.Errorf("imagegrid: parsing the Go font: %w", err)
		}
		fonts[i] = f
	}
	return fonts, nil
})

// faces are the regular (labels) and bold (title) faces of one size.
type faces struct {
	regular, bold font.Face
}

func newFaces(size float64) (*faces, error) {
	fonts, err := parsedFonts()
	if err != nil {
		return nil, err
	}
	var fs [2]font.Face
	for i, f := range fonts {
		// DPI 72 makes Size a size in pixels.
		if fs[i], err = opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull}); err != nil {
			return nil, fmt.Errorf("imagegrid: font face of size %g: %w", size, err)
		}
	}
	return &faces{regular: fs[0], bold: fs[1]}, nil
}

func (f *faces) close() {
	f.regular.Close()
	f.bold.Close()
}

// lineHeight is the distance between two lines of text, in pixels.
func (f *faces) lineHeight() int {
	return max(f.regular.Metrics().Height.Ceil(), f.bold.Metrics().Height.Ceil())
}

// textWidth is the advance of s in whole pixels.
func textWidth(face font.Face, s string) int {
	return font.MeasureString(face, s).Ceil()
}

// baseline is the drawing origin of a line whose box starts at (x, top).
func baseline(face font.Face, x, top int) fixed.Point26_6 {
	return fixed.Point26_6{X: fixed.I(x), Y: fixed.I(top) + face.Metrics().Ascent}
}

// ellipsis marks text cut to fit.
const ellipsis = "…"

// truncate shortens s, ending it with "…", until it fits in width pixels.
func truncate(face font.Face, s string, width int) string {
	if textWidth(face, s) <= width {
		return s
	}
	for s != "" {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
		if t := strings.TrimRight(s, " ") + ellipsis; textWidth(face, t) <= width {
			return t
		}
	}
	return ""
}

// wrap breaks s into lines of at most width pixels, at spaces where it
// can and inside a word too long for a line, keeping at most maxLines
// (the last one truncated when text is left over).
func wrap(face font.Face, s string, width, maxLines int) []string {
	var lines []string
	line := ""
	flush := func() {
		lines = append(lines, line)
		line = ""
	}
	for _, word := range strings.Fields(s) {
		switch candidate := strings.TrimSpace(line + " " + word); {
		case textWidth(face, candidate) <= width:
			line = candidate
		case line != "" && textWidth(face, word) <= width:
			flush()
			line = word
		default: // a word wider than a line: cut it where it overflows
			if line != "" {
				flush()
			}
			for _, r := range word {
				if line != "" && textWidth(face, line+string(r)) > width {
					flush()
				}
				line += string(r)
			}
		}
	}
	if line != "" {
		flush()
	}
	if len(lines) > maxLines {
		rest := strings.Join(lines[maxLines-1:], " ")
		lines = append(lines[:maxLines-1], truncate(face, rest, width))
	}
	return lines
}

// drawText draws one line of s in colour c with its origin at dot.
func drawText(dst *image.NRGBA, face font.Face, c color.Color, s string, dot fixed.Point26_6) {
	d := font.Drawer{Dst: dst, Src: image.NewUniform(c), Face: face, Dot: dot}
	d.DrawString(s)
}

package display

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"image"
	"image/png"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
	"golang.org/x/image/draw"
)

// imgTag is an <img> with the picture inlined as a PNG data URI; width
// is the displayed width in pixels (0: natural size). Small pictures
// (latents, attention maps) are scaled up without smoothing, so their
// pixels stay visible; large ones are stored at twice the displayed width
// at most, which keeps a saved notebook small and still sharp on
// high-density screens.
func imgTag(img image.Image, width int) (string, error) {
	if width > 0 && img.Bounds().Dx() > 2*width {
		img = shrink(img, 2*width)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	style := "image-rendering: pixelated;"
	if width > 0 {
		style += fmt.Sprintf(" width: %dpx;", width)
	}
	return fmt.Sprintf(`<img src="data:image/png;base64,%s" style="%s">`, base64.StdEncoding.EncodeToString(buf.Bytes()), style), nil
}

// shrink resizes img to width w, keeping its aspect ratio.
func shrink(img image.Image, w int) image.Image {
	b := img.Bounds()
	h := max(1, b.Dy()*w/b.Dx())
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(out, out.Bounds(), img, b, draw.Src, nil)
	return out
}

// ImagesHTML lays images out in a row, each with its caption under it.
func ImagesHTML(images []image.Image, captions []string, width int) (string, error) {
	var b strings.Builder
	b.WriteString(`<div style="display: flex; flex-wrap: wrap; gap: 8px; align-items: flex-start;">`)
	for i, img := range images {
		tag, err := imgTag(img, width)
		if err != nil {
			return "", err
		}
		caption := ""
		if i < len(captions) {
			caption = captions[i]
		}
		fmt.Fprintf(&b, `<figure style="margin: 0; text-align: center;">%s<figcaption style="font-size: 90%%;">%s</figcaption></figure>`, tag, html.EscapeString(caption))
	}
	b.WriteString(`</div>`)
	return b.String(), nil
}

// ShowImages shows images in a row with captions; width 0 keeps their
// size.
func ShowImages(images []image.Image, captions []string, width int) error {
	h, err := ImagesHTML(images, captions, width)
	if err != nil {
		return err
	}
	gonbui.DisplayHTML(h)
	return nil
}

// Show shows one image at its size.
func Show(img image.Image) error { return gonbui.DisplayImage(img) }

// Markdown shows Markdown (with LaTeX formulas between $…$).
func Markdown(md string) { gonbui.DisplayMarkdown(md) }

// HTML shows raw HTML.
func HTML(h string) { gonbui.DisplayHTML(h) }

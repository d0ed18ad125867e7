package display

import (
	"fmt"
	"html"
	"image"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
)

// GridHTML lays images out as a table: images[r][c] under column label c,
// right of row label r, with a title above. The labels are HTML text, so
// they stay sharp at any zoom; to save a sweep as one PNG, use
// ipadapter/imagegrid.
func GridHTML(images [][]image.Image, rowLabels, colLabels []string, title string, width int) (string, error) {
	var b strings.Builder
	b.WriteString(`<table style="border-collapse: collapse;">`)
	if title != "" {
		fmt.Fprintf(&b, `<caption style="font-weight: bold; padding: 4px;">%s</caption>`, html.EscapeString(title))
	}
	if len(colLabels) > 0 {
		b.WriteString(`<tr>`)
		if len(rowLabels) > 0 {
			b.WriteString(`<th></th>`)
		}
		for _, l := range colLabels {
			fmt.Fprintf(&b, `<th style="text-align: center; padding: 2px 4px;">%s</th>`, html.EscapeString(l))
		}
		b.WriteString(`</tr>`)
	}
	for r, row := range images {
		b.WriteString(`<tr>`)
		if len(rowLabels) > 0 {
			label := ""
			if r < len(rowLabels) {
				label = rowLabels[r]
			}
			fmt.Fprintf(&b, `<th style="text-align: right; padding: 2px 6px;">%s</th>`, html.EscapeString(label))
		}
		for _, img := range row {
			b.WriteString(`<td style="padding: 2px;">`)
			if img != nil {
				tag, err := imgTag(img, width)
				if err != nil {
					return "", err
				}
				b.WriteString(tag)
			}
			b.WriteString(`</td>`)
		}
		b.WriteString(`</tr>`)
	}
	b.WriteString(`</table>`)
	return b.String(), nil
}

// ShowGrid shows a labelled grid (GridHTML).
func ShowGrid(images [][]image.Image, rowLabels, colLabels []string, title string, width int) error {
	h, err := GridHTML(images, rowLabels, colLabels, title, width)
	if err != nil {
		return err
	}
	gonbui.DisplayHTML(h)
	return nil
}

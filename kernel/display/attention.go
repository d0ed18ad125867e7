package display

import (
	"errors"
	"fmt"
	"image"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/seed11f6bdef/gonb-ipadapter/kernel"
	"github.com/seed11f6bdef/gonb-ipadapter/kernel/wire"
)

// Maps are attention maps of several keys on one grid: Data[k] is key
// k's row-major W×H map.
type Maps struct {
	Labels []string
	Data   [][]float32
	W, H   int
}

// layersMatching keeps the layers whose name contains one of the
// patterns (all layers without patterns).
func layersMatching(att *kernel.Attention, patterns []string) []wire.LayerMaps {
	if len(patterns) == 0 {
		return att.Layers
	}
	var out []wire.LayerMaps
	for _, l := range att.Layers {
		for _, p := range patterns {
			if strings.Contains(l.Name, p) {
				out = append(out, l)
				break
			}
		}
	}
	return out
}

// mean averages maps of several layers key by key, on the finest of
// their grids (coarser ones are resized to it).
func mean(layers []wire.LayerMaps, pick func(wire.LayerMaps) *wire.Map) (*Maps, error) {
	if len(layers) == 0 {
		return nil, errors.New("no attention layer matches")
	}
	W, H := 0, 0
	for _, l := range layers {
		if l.Width*l.Height > W*H {
			W, H = l.Width, l.Height
		}
	}
	out := &Maps{W: W, H: H}
	n := 0
	for _, l := range layers {
		m := pick(l)
		if m == nil {
			continue
		}
		if out.Data == nil {
			out.Data = make([][]float32, m.Keys)
			for k := range out.Data {
				out.Data[k] = make([]float32, W*H)
			}
		}
		if m.Keys != len(out.Data) {
			return nil, fmt.Errorf("layer %s has %d keys, others %d", l.Name, m.Keys, len(out.Data))
		}
		size := l.Width * l.Height
		for k := range m.Keys {
			v := []float32(m.Data[k*size : (k+1)*size])
			if l.Width != W || l.Height != H {
				v = Resize(v, l.Width, l.Height, W, H)
			}
			for i, x := range v {
				out.Data[k][i] += x
			}
		}
		n++
	}
	if n == 0 {
		return nil, errors.New("the layers hold no such map")
	}
	for _, d := range out.Data {
		for i := range d {
			d[i] /= float32(n)
		}
	}
	return out, nil
}

// TextMaps averages the text-token maps of the layers whose names contain
// one of patterns (all without), labelled with the tokens.
func TextMaps(att *kernel.Attention, patterns ...string) (*Maps, error) {
	m, err := mean(layersMatching(att, patterns), func(l wire.LayerMaps) *wire.Map { return l.Text })
	if err != nil {
		return nil, err
	}
	m.Labels = att.TextTokens
	return m, nil
}

// ImageMaps averages the maps over adapter a's image tokens (image i of a
// masked adapter, −1 otherwise), and returns the mean of its scale over
// those layers.
func ImageMaps(att *kernel.Attention, a, i int, patterns ...string) (*Maps, float64, error) {
	layers := layersMatching(att, patterns)
	scale, n := 0.0, 0
	m, err := mean(layers, func(l wire.LayerMaps) *wire.Map {
		for _, ip := range l.IP {
			if ip.Adapter == a && ip.Image == i {
				scale += ip.Scale
				n++
				return &ip.Map
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("adapter %d image %d: %w", a, i, err)
	}
	for k := range m.Data {
		m.Labels = append(m.Labels, fmt.Sprintf("image token %d", k))
	}
	return m, scale / float64(n), nil
}

// Share is the mean attention key k gets over all pixels (for a softmax
// row, the keys' shares sum to 1).
func (m *Maps) Share(k int) float64 {
	s := 0.0
	for _, v := range m.Data[k] {
		s += float64(v)
	}
	return s / float64(len(m.Data[k]))
}

// Pictures renders the maps of keys (all when empty): heat-maps over
// base when it is not nil, else alone. Each map is normalised by its own
// maximum, so captions carry the key's mean share to compare keys.
func (m *Maps) Pictures(keys []int, base image.Image) ([]image.Image, []string) {
	if len(keys) == 0 {
		for k := range m.Data {
			keys = append(keys, k)
		}
	}
	var imgs []image.Image
	var caps []string
	for _, k := range keys {
		if k < 0 || k >= len(m.Data) {
			continue
		}
		if base != nil {
			imgs = append(imgs, Overlay(base, m.Data[k], m.W, m.H, 0, 0.75))
		} else {
			imgs = append(imgs, HeatMap(m.Data[k], m.W, m.H, 0))
		}
		label := fmt.Sprint(k)
		if k < len(m.Labels) {
			label = m.Labels[k]
		}
		caps = append(caps, fmt.Sprintf("%s (%.1f%%)", label, 100*m.Share(k)))
	}
	return imgs, caps
}

// AttentionOptions choose what ShowAttention shows.
type AttentionOptions struct {
	// Layers keeps the layers whose name contains one of these ("up_blocks.0",
	// "mid_block"); empty keeps every layer the maps were computed for.
	Layers []string
	// Tokens are the text tokens to show by position in TextTokens;
	// empty shows the prompt's words (not the start and end tokens,
	// which take most of the attention in every layer).
	Tokens []int
	// ImageTokens also shows the maps over each adapter's image tokens.
	ImageTokens bool
	// Overlay draws the maps over the generated image.
	Overlay bool
	// Width of each picture in pixels (0: 160).
	Width int
}

// ShowAttention shows the cross-attention maps of a generation, averaged over
// the chosen layers: one heat-map per text token, and optionally per image
// token of each adapter.
func ShowAttention(att *kernel.Attention, o AttentionOptions) error {
	if o.Width == 0 {
		o.Width = 160
	}
	var base image.Image
	if o.Overlay && att.Result != nil && len(att.Result.Images) > 0 {
		base = att.Result.Images[0]
	}
	text, err := TextMaps(att, o.Layers...)
	if err != nil {
		return err
	}
	tokens := o.Tokens
	if len(tokens) == 0 {
		for k := 1; k < len(att.TextTokens)-1; k++ {
			tokens = append(tokens, k)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<p><b>Text tokens</b> — step %d of %d, %s</p>", att.Step, att.Total, layersLabel(o.Layers))
	imgs, caps := text.Pictures(tokens, base)
	h, err := ImagesHTML(imgs, caps, o.Width)
	if err != nil {
		return err
	}
	b.WriteString(h)
	if o.ImageTokens {
		for _, s := range imageStreams(att) {
			m, scale, err := ImageMaps(att, s[0], s[1], o.Layers...)
			if err != nil {
				return err
			}
			title := fmt.Sprintf("Image tokens of adapter %d", s[0])
			if s[1] >= 0 {
				title += fmt.Sprintf(", reference image %d", s[1])
			}
			fmt.Fprintf(&b, "<p><b>%s</b> (mean scale %.2f over these layers)</p>", title, scale)
			imgs, caps := m.Pictures(nil, base)
			h, err := ImagesHTML(imgs, caps, o.Width)
			if err != nil {
				return err
			}
			b.WriteString(h)
		}
	}
	gonbui.DisplayHTML(b.String())
	return nil
}

// imageStreams lists the (adapter, image) pairs with image maps.
func imageStreams(att *kernel.Attention) [][2]int {
	seen := map[[2]int]bool{}
	var out [][2]int
	for _, l := range att.Layers {
		for _, ip := range l.IP {
			k := [2]int{ip.Adapter, ip.Image}
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

func layersLabel(patterns []string) string {
	if len(patterns) == 0 {
		return "mean over all layers"
	}
	return "mean over layers matching " + strings.Join(patterns, ", ")
}

// ShowLayers shows one text token's map in every layer, one picture per
// layer: how differently the layers (resolutions, depths) look at it.
func ShowLayers(att *kernel.Attention, token int, width int) error {
	if token < 0 || token >= len(att.TextTokens) {
		return fmt.Errorf("token %d of %d", token, len(att.TextTokens))
	}
	if width == 0 {
		width = 96
	}
	var imgs []image.Image
	var caps []string
	for _, l := range att.Layers {
		n := l.Width * l.Height
		v := l.Text.Data[token*n : (token+1)*n]
		imgs = append(imgs, HeatMap(v, l.Width, l.Height, 0))
		caps = append(caps, shortLayer(l.Name))
	}
	h, err := ImagesHTML(imgs, caps, width)
	if err != nil {
		return err
	}
	gonbui.DisplayHTML(fmt.Sprintf("<p><b>%q</b> in each attn2 layer</p>%s", att.TextTokens[token], h))
	return nil
}

// shortLayer abbreviates an attn2 module name for a caption:
// "up_blocks.0.attentions.1.transformer_blocks.3.attn2" → "up0.a1.t3".
func shortLayer(name string) string {
	r := strings.NewReplacer("down_blocks.", "down", "up_blocks.", "up", "mid_block", "mid",
		".attentions.", ".a", ".transformer_blocks.", ".t", ".attn2", "")
	return r.Replace(name)
}

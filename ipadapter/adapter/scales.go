package adapter

import (
	"fmt"
	"strings"
)

// AdapterScale is one adapter's entry of set_ip_adapter_scale: a Scale (one
// number for every layer), PerImage (one number per reference image, used
// with masks) or Blocks (InstantStyle: per UNet block, 0 elsewhere).
type AdapterScale interface {
	// layerScales expands the entry over the UNet's attn2 layers for an
	// adapter with n images: rows in layer order, one column per image
	// when masked, one column otherwise.
	layerScales(l *unetLayout, n int, masked bool) ([][]float32, error)
	String() string
}

// Scale is one scale for every cross-attention layer of an adapter
// (set_ip_adapter_scale(0.6)). With masks it applies to every image.
type Scale float64

// PerImage is one scale per reference image of an adapter
// (set_ip_adapter_scale([[0.7, 0.7]])). diffusers uses it only with
// masks (each image is then attended separately), so without masks it is
// accepted only if all values are 0, as diffusers skips the adapter then.
type PerImage []float64

// PerAdapter is one Scale per loaded adapter (set_ip_adapter_scale([0.8,
// 0.35])): SetScale(PerAdapter(0.8, 0.35)...).
func PerAdapter(scales ...float64) []AdapterScale {
	out := make([]AdapterScale, len(scales))
	for i, s := range scales {
		out[i] = Scale(s)
	}
	return out
}

func (s Scale) String() string { return fmt.Sprint(float64(s)) }

func (s Scale) layerScales(l *unetLayout, n int, masked bool) ([][]float32, error) {
	cols := 1
	if masked {
		cols = n
	}
	return fill(len(l.Layers), cols, func(int) float32 { return float32(s) }), nil
}

func (p PerImage) String() string {
	parts := make([]string, len(p))
	for i, v := range p {
		parts[i] = fmt.Sprint(v)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func (p PerImage) layerScales(l *unetLayout, n int, masked bool) ([][]float32, error) {
	if !masked {
		for _, v := range p {
			if v != 0 {
				return nil, fmt.Errorf("per-image scales %v need masks: without masks all images of an adapter are attended together with one scale (use Scale, or pass one mask per image)", p)
			}
		}
		return fill(len(l.Layers), 1, func(int) float32 { return 0 }), nil
	}
	if len(p) != n {
		return nil, fmt.Errorf("number of masks (%d) does not match number of scales (%d): give one scale per masked image", n, len(p))
	}
	return fill(len(l.Layers), n, func(j int) float32 { return float32(p[j]) }), nil
}

// fill makes a rows×cols table whose column j holds v(j).
func fill(rows, cols int, v func(j int) float32) [][]float32 {
	t := make([][]float32, rows)
	for i := range t {
		t[i] = make([]float32, cols)
		for j := range t[i] {
			t[i][j] = v(j)
		}
	}
	return t
}

// ScaleTable is one adapter's scales as the UNet takes them (its
// IPInput.Scales): Rows cross-attention layers in CrossAttnLayers order
// × Cols (1 without masks, one per image with masks), row-major float32.
type ScaleTable struct {
	Rows, Cols int
	Values     []float32
}

// At is the scale of layer i for image column j.
func (t ScaleTable) At(i, j int) float32 { return t.Values[i*t.Cols+j] }

// scaled returns a copy multiplied by m (0 turns the adapter off: the UNet
// then adds exact zeros).
func (t ScaleTable) scaled(m float32) ScaleTable {
	out := ScaleTable{Rows: t.Rows, Cols: t.Cols, Values: make([]float32, len(t.Values))}
	for i, v := range t.Values {
		out.Values[i] = v * m
	}
	return out
}

// checkScaleCount is set_ip_adapter_scale's first check: exactly one entry
// per loaded adapter (diffusers has no "one value for all adapters"
// shortcut in practice: a bare number with two adapters fails).
func checkScaleCount(scales []AdapterScale, adapters int) error {
	if len(scales) != adapters {
		return fmt.Errorf("cannot assign %d scale_configs to %d IP-Adapter: give one scale per loaded adapter (PerAdapter(…) for several)", len(scales), adapters)
	}
	for i, s := range scales {
		if s == nil {
			return fmt.Errorf("the scale of IP-Adapter %d is nil", i)
		}
	}
	return nil
}

// ExpandScales expands set_ip_adapter_scale's arguments over a UNet's attn2
// layers (layers: unet.UNet.CrossAttnLayers(), diffusers' attn_processors
// order), one table per adapter. images[a] is adapter a's number of
// reference images and masked[a] whether it has masks (then the table has
// one column per image). Validation follows diffusers: one entry per
// adapter, per-block lists of the right length, per-image scales only
// with masks and with one value per mask.
func ExpandScales(layers []string, scales []AdapterScale, images []int, masked []bool) ([]ScaleTable, error) {
	if err := checkScaleCount(scales, len(images)); err != nil {
		return nil, err
	}
	if len(masked) != len(images) {
		return nil, fmt.Errorf("expanding scales: %d image counts but %d mask flags", len(images), len(masked))
	}
	layout, err := parseLayout(layers)
	if err != nil {
		return nil, err
	}
	out := make([]ScaleTable, len(scales))
	for a, s := range scales {
		rows, err := s.layerScales(layout, images[a], masked[a])
		if err != nil {
			return nil, fmt.Errorf("IP-Adapter %d scale %v: %w", a, s, err)
		}
		t := ScaleTable{Rows: len(rows), Cols: 1}
		if len(rows) > 0 {
			t.Cols = len(rows[0])
		}
		for _, r := range rows {
			t.Values = append(t.Values, r...)
		}
		out[a] = t
	}
	return out, nil
}

package ipadapter

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/hostfloat"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
)

// Capture runs unet.Model.PredictWithAttention, whose recorder names
// select the maps; it is another compiled graph (the signature includes
// the names), so the plain graph is neither changed nor recompiled, and
// steps not captured keep running it. Both CFG halves come back from the
// UNet; the conditional one is kept. AttentionMaps documents the cost.

// attentionPlan is a validated AttentionMaps.
type attentionPlan struct {
	layers []unet.CrossAttnLayer // attn_processors order
	steps  []int                 // 1-based, sorted; nil: every step
	levels int                   // the UNet's resolution levels
}

// resolveAttention validates the request's AttentionMaps against the UNet
// and the number of steps (after resolveNumbers).
func (pl *plan) resolveAttention(p *Pipeline) error {
	a := pl.req.AttentionMaps
	if a == nil {
		return nil
	}
	u := p.unet.UNet()
	all := u.CrossAttnLayerInfo()
	ap := &attentionPlan{levels: u.NumLevels()}
	switch {
	case len(a.Layers) == 0:
		return fmt.Errorf("attention maps: name the attn2 layers (Pipeline.AttentionLayers lists them) or %q", AllAttentionLayers)
	case slices.Contains(a.Layers, AllAttentionLayers):
		if len(a.Layers) > 1 {
			return fmt.Errorf("attention maps: %q stands alone, not with other layer names", AllAttentionLayers)
		}
		ap.layers = all
	default:
		for _, l := range all {
			if slices.Contains(a.Layers, l.Name) {
				ap.layers = append(ap.layers, l)
			}
		}
		for _, name := range a.Layers {
			if !slices.ContainsFunc(all, func(l unet.CrossAttnLayer) bool { return l.Name == name }) {
				return fmt.Errorf("attention maps: the UNet has no attn2 layer %q (it has %d, e.g. %s)", name, len(all), strings.Join(u.CrossAttnLayers()[:min(2, len(all))], ", "))
			}
		}
	}
	for _, s := range a.Steps {
		if s < 1 || s > pl.steps {
			return fmt.Errorf("attention maps: step %d of %d: steps count from 1", s, pl.steps)
		}
	}
	if len(a.Steps) > 0 {
		ap.steps = slices.Compact(slices.Sorted(slices.Values(a.Steps)))
	}
	pl.attn = ap
	return nil
}

// at reports whether step (1-based) is captured.
func (ap *attentionPlan) at(step int) bool {
	if ap == nil {
		return false
	}
	if ap.steps == nil {
		return true
	}
	_, found := slices.BinarySearch(ap.steps, step)
	return found
}

// names are the recorder names of the maps of one UNet call with these
// IP streams (see unet/capture.go).
func (ap *attentionPlan) names(streams []unet.IPInput) []string {
	var names []string
	for _, l := range ap.layers {
		names = append(names, l.Name)
		for _, s := range streams {
			for _, img := range streamImages(s) {
				names = append(names, unet.IPMapName(l.Name, s.Adapter, img))
			}
		}
	}
	return names
}

// streamImages are the image indices of a stream's maps: −1 (one map over
// every image) unmasked, else each image ([B, N, T, D] tokens).
func streamImages(s unet.IPInput) []int {
	if s.Masks == nil {
		return []int{-1}
	}
	n := s.Tokens.Shape().Dimensions[1]
	images := make([]int, n)
	for i := range images {
		images[i] = i
	}
	return images
}

// stepAttention turns the maps of step (1-based) into the public layout,
// keeping the conditional half of a CFG batch.
func (g *generation) stepAttention(step int, timestep float32, streams []unet.IPInput, maps map[string]*tensors.Tensor) (*StepAttention, error) {
	ap := g.pl.attn
	out := &StepAttention{Step: step, Total: g.pl.steps, Timestep: float64(timestep)}
	for _, l := range ap.layers {
		h, w := g.pl.latentH, g.pl.latentW
		for range min(l.Level, ap.levels-1) {
			h, w = (h+1)/2, (w+1)/2
		}
		la := LayerAttention{Layer: l.Name, Index: l.Index, Level: l.Level, Height: h, Width: w, Heads: l.Heads}
		var err error
		if la.Text, err = g.conditionalHalf(maps[l.Name], h*w); err != nil {
			return nil, fmt.Errorf("attention map of %s: %w", l.Name, err)
		}
		for _, s := range streams {
			for _, img := range streamImages(s) {
				name := unet.IPMapName(l.Name, s.Adapter, img)
				m, err := g.conditionalHalf(maps[name], h*w)
				if err != nil {
					return nil, fmt.Errorf("attention map %s: %w", name, err)
				}
				la.IP = append(la.IP, IPAttention{Adapter: s.Adapter, Image: img, Map: m})
			}
		}
		out.Layers = append(out.Layers, la)
	}
	return out, nil
}

// conditionalHalf copies a captured [UNet batch, queries, keys] map to the
// host, keeping the rows of the generated images' conditional half.
func (g *generation) conditionalHalf(t *tensors.Tensor, queries int) (*Array, error) {
	if t == nil {
		return nil, fmt.Errorf("not captured")
	}
	dims := t.Shape().Dimensions
	b := g.pl.images()
	rows := b
	if g.pl.cfg {
		rows = 2 * b
	}
	if len(dims) != 3 || dims[0] != rows || dims[1] != queries {
		return nil, fmt.Errorf("shape %v, want [%d, %d, keys]", dims, rows, queries)
	}
	v, err := hostfloat.Floats(t)
	if err != nil {
		return nil, err
	}
	if rows != b {
		// Copied, so the negative half is not kept alive with it.
		v = slices.Clone(v[(rows-b)*dims[1]*dims[2]:])
	}
	return newArray(v, b, dims[1], dims[2]), nil
}

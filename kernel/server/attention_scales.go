package server

import (
	"fmt"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
)

// stepScales are the weights each adapter's image branch was added with
// at one step, per attn2 layer (and per image of a masked adapter). The
// pipeline reports its maps but not its scale inputs, so they are made
// again as it makes them: the run's set_ip_adapter_scale argument (its
// metadata) expanded over the layers, times the adapter's window at the
// step.
type stepScales struct {
	tables []adapter.ScaleTable
	mults  []float32
}

// stepScales expands the scales of a run for step (1-based) of total; no
// adapter gives no scales.
func (e *entry) stepScales(req ipadapter.Request, meta ipadapter.Metadata, step, total int) (*stepScales, error) {
	n := e.pipe.NumIPAdapters()
	if n == 0 {
		return &stepScales{}, nil
	}
	layers, err := e.pipe.AttentionLayers()
	if err != nil {
		return nil, err
	}
	var scales []adapter.AdapterScale
	if len(meta.IPAdapterScale) > 0 {
		if scales, err = adapter.ParseScales(meta.IPAdapterScale); err != nil {
			return nil, fmt.Errorf("attention: the run's scale %s: %w", meta.IPAdapterScale, err)
		}
	} else {
		for range n {
			scales = append(scales, adapter.Scale(1)) // the adapters' initial scale
		}
	}
	images, masked := make([]int, n), make([]bool, n)
	for a := range n {
		switch {
		case a < len(req.IPAdapterImageEmbeds):
			images[a] = req.IPAdapterImageEmbeds[a].NumImages()
		case a < len(req.IPAdapterImages):
			images[a] = len(req.IPAdapterImages[a])
		}
		masked[a] = a < len(req.IPAdapterMasks) && req.IPAdapterMasks[a] != nil
	}
	s := &stepScales{}
	if s.tables, err = adapter.ExpandScales(layers, scales, images, masked); err != nil {
		return nil, fmt.Errorf("attention: the run's scale %s: %w", meta.IPAdapterScale, err)
	}
	for a := range n {
		m := float32(1)
		if a < len(req.IPAdapterWindows) {
			m = req.IPAdapterWindows[a].Multiplier(step-1, total)
		}
		s.mults = append(s.mults, m)
	}
	return s, nil
}

// at is adapter a's weight on the layer of attn_processors index layer,
// for reference image image of a masked adapter (−1: unmasked).
func (s *stepScales) at(a, image, layer int) float64 {
	if a >= len(s.tables) {
		return 0
	}
	return float64(s.tables[a].At(layer, max(image, 0)) * s.mults[a])
}

package unet

import (
	"fmt"
	"maps"
	"slices"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/support/exceptions"
)

// IPStream is one loaded IP-Adapter's image tokens, entering every attn2
// layer as an extra key/value stream next to the text (graph level; see
// Model.Predict for host tensors). Scales and masks are graph inputs, so a
// scale sweep or new masks never recompile.
type IPStream struct {
	// Adapter is the adapter's index: its weights are
	// "<attn2>.processor.to_k_ip.<Adapter>.weight" and to_v_ip (IPSpecs).
	Adapter int
	// Tokens are the projected image tokens, [B, T, cross_dim], or
	// [B, N, T, cross_dim] for N images. Without masks all images' tokens
	// are attended with one softmax (diffusers concatenates them); with
	// masks each image is attended separately.
	Tokens *graph.Node
	// Scales [numCrossAttnLayers, 1] without masks (diffusers takes one
	// number per adapter and layer), [numCrossAttnLayers, N] with masks (one
	// per image), float32, rows in CrossAttnLayers order. InstantStyle and
	// per-block scales are just rows with different values; 0 adds exact
	// zeros, so the output is bitwise the no-adapter output.
	Scales *graph.Node
	// Masks (optional) maps a layer's query count nq (its latent h·w, see
	// QueryCounts) to the masks downsampled for it on the host as diffusers
	// does (IPAdapterMaskProcessor.downsample): [B or 1, N, nq] float32.
	// Every nq of the UNet's attn2 layers needs an entry.
	Masks map[int]*graph.Node
}

// layerStream is an IPStream as one attn2 layer sees it.
type layerStream struct {
	Adapter int
	Tokens  *graph.Node // [B, N·T, D] without masks, [B, N, T, D] with masks; compute dtype
	Scale   *graph.Node // [1] without masks, [N] with masks; compute dtype
	Mask    *graph.Node // [B or 1, N, nq] compute dtype; nil without masks
}

// ipContext hands each attn2 layer its slice of the streams.
type ipContext struct {
	streams []IPStream
	dtype   dtypes.DType
}

func newIPContext(streams []IPStream, dtype dtypes.DType) *ipContext {
	if len(streams) == 0 {
		return nil
	}
	p := &ipContext{dtype: dtype}
	for _, s := range streams {
		s.Tokens = graph.ConvertDType(s.Tokens, dtype)
		if s.Masks == nil && s.Tokens.Rank() == 4 { // images concatenated along tokens
			d := s.Tokens.Shape().Dimensions
			s.Tokens = graph.Reshape(s.Tokens, d[0], d[1]*d[2], d[3])
		}
		p.streams = append(p.streams, s)
	}
	return p
}

// forLayer returns the streams of attn2 layer idx, whose queries are nq tokens.
func (p *ipContext) forLayer(idx, nq int) []layerStream {
	if p == nil {
		return nil
	}
	out := make([]layerStream, len(p.streams))
	for i, s := range p.streams {
		row := graph.Slice(s.Scales, graph.AxisElem(idx), graph.AxisRange())
		ls := layerStream{Adapter: s.Adapter, Tokens: s.Tokens, Scale: graph.ConvertDType(graph.Reshape(row, -1), p.dtype)}
		if s.Masks != nil {
			m, ok := s.Masks[nq]
			if !ok {
				exceptions.Panicf("IP stream of adapter %d has no mask for %d query tokens", s.Adapter, nq)
			}
			ls.Mask = graph.ConvertDType(m, p.dtype)
		}
		out[i] = ls
	}
	return out
}

// ipShapes are the shapes of one stream's inputs, for validation.
type ipShapes struct {
	Adapter int
	Tokens  []int
	Scales  []int
	Masks   map[int][]int // nil: no masks
}

// checkIP validates IP streams for a batch of b against the layers' query
// counts (nq per attn2 layer, in CrossAttnLayers order).
func (u *UNet) checkIP(b int, nq []int, streams []ipShapes) error {
	seen := map[int]bool{}
	wantNQ := slices.Compact(slices.Sorted(slices.Values(nq)))
	// check has made sure there is an attn2 layer and that all take the
	// encoder_hidden_states' width.
	crossDim := u.crossLayers[0].CrossDim
	for i, s := range streams {
		where := fmt.Sprintf("IP stream %d (adapter %d)", i, s.Adapter)
		if s.Adapter < 0 {
			return fmt.Errorf("%s: adapter index must not be negative", where)
		}
		if seen[s.Adapter] {
			return fmt.Errorf("%s: adapter %d is given twice", where, s.Adapter)
		}
		seen[s.Adapter] = true
		t := s.Tokens
		masked := s.Masks != nil
		switch {
		case len(t) != 3 && len(t) != 4:
			return fmt.Errorf("%s: tokens have shape %v, want [B, T, %d] or [B, images, T, %d]", where, t, crossDim, crossDim)
		case masked && len(t) != 4:
			return fmt.Errorf("%s: masked streams need tokens [B, images, T, %d], got %v", where, crossDim, t)
		case t[0] != b:
			return fmt.Errorf("%s: tokens have batch %d, the sample has %d", where, t[0], b)
		case t[len(t)-1] != crossDim:
			return fmt.Errorf("%s: tokens are %d wide, the cross-attention layers take %d (cross_attention_dim)", where, t[len(t)-1], crossDim)
		case slices.Contains(t, 0):
			return fmt.Errorf("%s: tokens have an empty axis: %v", where, t)
		}
		images := 1
		if masked {
			images = t[1]
		}
		if len(s.Scales) != 2 || s.Scales[0] != len(nq) || s.Scales[1] != images {
			return fmt.Errorf("%s: scales have shape %v, want [%d cross-attention layers, %d] (one per image with masks, one per layer without)", where, s.Scales, len(nq), images)
		}
		if !masked {
			continue
		}
		got := slices.Sorted(maps.Keys(s.Masks))
		if !slices.Equal(got, wantNQ) {
			return fmt.Errorf("%s: masks are given for query counts %v, the attn2 layers of this latent size have %v", where, got, wantNQ)
		}
		for _, q := range wantNQ {
			m := s.Masks[q]
			if len(m) != 3 || (m[0] != 1 && m[0] != b) || m[1] != images || m[2] != q {
				return fmt.Errorf("%s: mask for %d queries has shape %v, want [1 or %d, %d images, %d]", where, q, m, b, images, q)
			}
		}
	}
	return nil
}

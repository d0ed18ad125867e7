package kernel

import (
	"context"
	"fmt"

	"github.com/seed11f6bdef/gonb-ipadapter/kernel/wire"
)

// AttentionRequest is a generation plus which attention maps to keep.
type AttentionRequest struct {
	Request
	// Step is the denoising step whose UNet call is captured (1-based; 0 =
	// the middle one).
	Step int
	// Layers are attn2 module names ("up_blocks.0.attentions.1.
	// transformer_blocks.0.attn2"); empty = all (70 on SDXL: large).
	// Capturing compiles a second UNet graph per list of layers (and image
	// size), so keep the list the same across calls.
	Layers []string
	// Image is the image of the batch whose maps are kept.
	Image int
}

// Attention is a generation's result with the cross-attention maps of
// one of its UNet calls, captured by the pipeline during that very
// generation (see wire.AttentionResult for the layout).
type Attention struct {
	// Result is the generation's output.
	Result *Result
	// Step of Total is the captured UNet call, at Timestep.
	Step, Total int
	Timestep    float64
	// TextTokens label the text maps' keys (start, prompt, end).
	TextTokens []string
	// Layers are the maps per attn2 layer, in attn_processors order.
	Layers []wire.LayerMaps
}

// Attention generates and returns the attention maps of the step's UNet
// call (conditional half), averaged over heads: per layer, the text
// tokens' maps and each adapter's image tokens' maps. The image is the
// one Generate makes (bit for bit on the CPU; on a GPU the captured step
// computes attention without the fused kernel, which may differ at
// rounding level).
func (p *Pipeline) Attention(ctx context.Context, r AttentionRequest) (*Attention, error) {
	w, err := r.wire()
	if err != nil {
		return nil, err
	}
	req := wire.AttentionRequest{Generate: *w, Step: r.Step, Layers: r.Layers, Image: r.Image}
	ev, err := p.c.stream(ctx, p.path(wire.PathAttention), req, onProgress(r.Progress))
	if err != nil {
		return nil, fmt.Errorf("attention maps: %w", err)
	}
	if ev.Attention == nil || ev.Attention.Result == nil {
		return nil, fmt.Errorf("attention maps: the backend answered without maps")
	}
	res, err := result(ev.Attention.Result)
	if err != nil {
		return nil, err
	}
	for _, l := range ev.Attention.Layers {
		n := l.Height * l.Width
		if l.Text == nil || len(l.Text.Data) != l.Text.Keys*n {
			return nil, fmt.Errorf("attention maps: layer %s has malformed text maps", l.Name)
		}
		for _, ip := range l.IP {
			if len(ip.Data) != ip.Keys*n {
				return nil, fmt.Errorf("attention maps: layer %s has malformed image maps", l.Name)
			}
		}
	}
	a := ev.Attention
	return &Attention{Result: res, Step: a.Step, Total: a.Total, Timestep: a.Timestep,
		TextTokens: a.TextTokens, Layers: a.Layers}, nil
}

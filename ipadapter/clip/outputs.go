package clip

import (
	"fmt"
)

// TextOutputs selects what a text encoder call returns. Only the selected
// values become graph outputs, and layers after the deepest one needed are
// not computed.
type TextOutputs struct {
	// HiddenStates are indices into transformers' hidden_states tuple
	// (num_hidden_layers+1 entries: the embeddings, then each layer's
	// output, none of them final-layer-normed). Negative indices count from
	// the end as in Python: -2 is the penultimate layer's output, what SDXL
	// uses; -(clip_skip+2) with clip_skip.
	HiddenStates []int
	// LastHiddenState is final_layer_norm(output of the last layer).
	LastHiddenState bool
	// Pooled is pooler_output: last_hidden_state at the end-of-text token.
	Pooled bool
	// TextEmbeds is text_projection(pooled); CLIPTextModelWithProjection only.
	TextEmbeds bool
}

// VisionOutputs selects what an image encoder call returns, like
// TextOutputs.
type VisionOutputs struct {
	// HiddenStates index hidden_states (num_hidden_layers+1 entries:
	// pre_layrnorm(embeddings), then each layer's output); -2 is the
	// penultimate layer, what IP-Adapter Plus uses.
	HiddenStates []int
	// LastHiddenState is the last layer's output (not post-normed).
	LastHiddenState bool
	// Pooled is pooler_output: post_layernorm(last_hidden_state[:, 0]).
	Pooled bool
	// ImageEmbeds is visual_projection(pooled);
	// CLIPVisionModelWithProjection only.
	ImageEmbeds bool
}

// resolveHiddenStates turns Python-style indices into 0…layers (the
// number of layers each state needs) and returns the deepest one.
func resolveHiddenStates(indices []int, layers int) (resolved []int, depth int, err error) {
	n := layers + 1
	resolved = make([]int, len(indices))
	for i, idx := range indices {
		j := idx
		if j < 0 {
			j += n
		}
		if j < 0 || j >= n {
			return nil, 0, fmt.Errorf("hidden state index %d is out of range: the model has %d hidden states (indices %d…%d)", idx, n, -n, n-1)
		}
		resolved[i] = j
		depth = max(depth, j)
	}
	return resolved, depth, nil
}

// key is a canonical description of a selection, used to cache one
// compiled graph per selection.
func (o TextOutputs) key(resolved []int) string {
	return fmt.Sprintf("hs%v/last=%t/pooled=%t/embeds=%t", resolved, o.LastHiddenState, o.Pooled, o.TextEmbeds)
}

func (o VisionOutputs) key(resolved []int) string {
	return fmt.Sprintf("hs%v/last=%t/pooled=%t/embeds=%t", resolved, o.LastHiddenState, o.Pooled, o.ImageEmbeds)
}

func (o TextOutputs) empty() bool {
	return len(o.HiddenStates) == 0 && !o.LastHiddenState && !o.Pooled && !o.TextEmbeds
}

func (o VisionOutputs) empty() bool {
	return len(o.HiddenStates) == 0 && !o.LastHiddenState && !o.Pooled && !o.ImageEmbeds
}

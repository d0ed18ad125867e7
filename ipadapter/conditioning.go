package ipadapter

import (
	"fmt"
	"slices"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/hostfloat"
)

// textInputs are the UNet's text conditioning, the same at every step:
// encoder_hidden_states, and added_cond_kwargs' text_embeds and time_ids.
type textInputs struct {
	ehs, textEmbeds, timeIDs *tensors.Tensor
}

// textInputs assembles the UNet batch from encode_prompt's result, as the
// pipeline does before its loop: with CFG the embeddings are blocked
// [all negative; all positive] while the time ids alternate (neg, pos)
// Bb times — torch.cat([neg, pos]).repeat(Bb, 1), a diffusers quirk that
// only matters when the negative time ids differ.
func (pl *plan) textInputs(emb *clip.PromptEmbeds) (*textInputs, error) {
	pos, err := hostfloat.Floats(emb.PromptEmbeds)
	if err != nil {
		return nil, fmt.Errorf("prompt embeddings: %w", err)
	}
	pooled, err := hostfloat.Floats(emb.PooledPromptEmbeds)
	if err != nil {
		return nil, fmt.Errorf("pooled prompt embeddings: %w", err)
	}
	dims := emb.PromptEmbeds.Shape().Dimensions
	pdims := emb.PooledPromptEmbeds.Shape().Dimensions
	bb := pl.images()
	if dims[0] != bb || pdims[0] != bb {
		return nil, fmt.Errorf("encode_prompt returned %d and %d rows for %d images", dims[0], pdims[0], bb)
	}
	rows, ids := 1, [][6]float32{pl.addTimeIDs}
	if pl.cfg {
		if emb.NegativePromptEmbeds == nil || emb.NegativePooledPromptEmbeds == nil {
			return nil, fmt.Errorf("encode_prompt returned no negative conditioning for classifier-free guidance")
		}
		neg, err := hostfloat.Floats(emb.NegativePromptEmbeds)
		if err != nil {
			return nil, fmt.Errorf("negative prompt embeddings: %w", err)
		}
		negPooled, err := hostfloat.Floats(emb.NegativePooledPromptEmbeds)
		if err != nil {
			return nil, fmt.Errorf("negative pooled prompt embeddings: %w", err)
		}
		pos, pooled = slices.Concat(neg, pos), slices.Concat(negPooled, pooled)
		rows, ids = 2, [][6]float32{pl.negTimeIDs, pl.addTimeIDs}
	}
	timeIDs := make([]float32, 0, rows*bb*6)
	for range bb {
		for _, id := range ids {
			timeIDs = append(timeIDs, id[:]...)
		}
	}
	return &textInputs{
		ehs:        tensorOf(pos, rows*bb, dims[1], dims[2]),
		textEmbeds: tensorOf(pooled, rows*bb, pdims[1]),
		timeIDs:    tensorOf(timeIDs, rows*bb, 6),
	}, nil
}

package adapter

import (
	"fmt"
	"slices"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/hostfloat"
)

// ImageEmbeds are one adapter's image embeddings for N reference images,
// before batching (what diffusers' prepare_ip_adapter_image_embeds holds
// per adapter before repeating): the conditional half and, for classifier-
// free guidance, the unconditional one.
type ImageEmbeds struct {
	// Shape is one half's shape: [N, P] (image_embeds, plain adapters) or
	// [N, S, E] (hidden_states[-2], Plus and FullFace).
	Shape []int
	// Positive holds the reference images' embeddings, row-major.
	Positive []float32
	// Negative holds the unconditional embeddings (nil if unknown, which
	// only works without CFG): zeros for plain adapters, the encoder's
	// output on an all-zero normalised image for the hidden-state kinds.
	Negative []float32
	// Kind and Encoder say what made them (optional; Encoder describes the
	// image encoder). They are checked against the adapter when known.
	Kind    Kind
	Encoder string
}

// NumImages is N, the number of reference images.
func (e *ImageEmbeds) NumImages() int { return e.Shape[0] }

// validate checks the halves' lengths against Shape.
func (e *ImageEmbeds) validate() error {
	if len(e.Shape) != 2 && len(e.Shape) != 3 || slices.Contains(e.Shape, 0) || slices.ContainsFunc(e.Shape, func(d int) bool { return d < 0 }) {
		return fmt.Errorf("image embeddings have shape %v per half, want [images, width] or [images, tokens, width]", e.Shape)
	}
	n := product(e.Shape)
	if len(e.Positive) != n || (e.Negative != nil && len(e.Negative) != n) {
		return fmt.Errorf("image embeddings of shape %v need %d values per half, have %d and %d", e.Shape, n, len(e.Positive), len(e.Negative))
	}
	return nil
}

// Batch returns the embeddings as the UNet call takes them
// (added_cond_kwargs["image_embeds"][a]): [batch, N, …] conditional rows,
// preceded by as many unconditional rows with cfg (diffusers'
// concat([negative×batch, positive×batch])). batch is batch_size ·
// num_images_per_prompt: the same reference images condition every image.
func (e *ImageEmbeds) Batch(batch int, cfg bool) (*tensors.Tensor, error) {
	if err := e.validate(); err != nil {
		return nil, err
	}
	if batch <= 0 {
		return nil, fmt.Errorf("image embeddings: batch %d must be positive", batch)
	}
	if cfg && e.Negative == nil {
		return nil, fmt.Errorf("image embeddings have no negative (unconditional) half, which classifier-free guidance needs: " +
			"precomputed embeddings must stack [negative; positive] along axis 0, as prepare_ip_adapter_image_embeds returns them")
	}
	var halves [][]float32
	if cfg {
		halves = append(halves, e.Negative)
	}
	halves = append(halves, e.Positive)
	rows := len(halves) * batch
	data := make([]float32, 0, rows*len(e.Positive))
	for _, h := range halves {
		for range batch {
			data = append(data, h...)
		}
	}
	return tensors.FromFlatDataAndDimensions(data, append([]int{rows}, e.Shape...)...), nil
}

// EmbedsFromTensor takes one entry of diffusers' ip_adapter_image_embeds:
// [k, N, P] or [k, N, S, E], with k = 2 (negative rows first, then
// positive) when cfg is set and k = 1 otherwise. Exactly what
// prepare_ip_adapter_image_embeds(…, num_images_per_prompt=1,
// do_classifier_free_guidance=cfg) returns is valid. diffusers would accept
// other k and then mis-batch; here they are an error.
func EmbedsFromTensor(t *tensors.Tensor, cfg bool) (*ImageEmbeds, error) {
	if t == nil {
		return nil, fmt.Errorf("ip_adapter_image_embeds entry is nil")
	}
	dims := t.Shape().Dimensions
	if len(dims) != 3 && len(dims) != 4 {
		return nil, fmt.Errorf("`ip_adapter_image_embeds` has to be a list of 3D or 4D tensors but is %dD (%v)", len(dims), dims)
	}
	halves := 1
	if cfg {
		halves = 2
	}
	if dims[0] != halves {
		return nil, fmt.Errorf("ip_adapter_image_embeds entry has %d rows on axis 0; with classifier-free guidance %v it needs %d ([negative; positive] for one prompt image; they are repeated per prompt and image by the pipeline)", dims[0], cfg, halves)
	}
	vals, err := hostfloat.Floats(t)
	if err != nil {
		return nil, fmt.Errorf("ip_adapter_image_embeds: %w", err)
	}
	e := &ImageEmbeds{Shape: slices.Clone(dims[1:])}
	n := product(e.Shape)
	if cfg {
		e.Negative, e.Positive = vals[:n], vals[n:]
	} else {
		e.Positive = vals
	}
	return e, e.validate()
}

// Tensor is the inverse of EmbedsFromTensor: [2, N, …] ([negative;
// positive]) when the negative half is known, else [1, N, …].
func (e *ImageEmbeds) Tensor() (*tensors.Tensor, error) {
	return e.Batch(1, e.Negative != nil)
}

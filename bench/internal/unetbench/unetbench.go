// Package unetbench holds the UNet benchmarks' shared pieces (bench/unetstep
// and its GPU counterpart bench/unetstep/gpu): the "small SDXL" config and
// random inputs for one CFG step.
package unetbench

import (
	"math/rand/v2"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
)

// SmallSDXL is SDXL base's UNet config at 1/4 width.
const SmallSDXL = `{
  "_class_name": "UNet2DConditionModel",
  "act_fn": "silu", "addition_embed_type": "text_time", "addition_time_embed_dim": 64,
  "attention_head_dim": [5, 10, 20], "block_out_channels": [80, 160, 320],
  "cross_attention_dim": 512, "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
  "flip_sin_to_cos": true, "freq_shift": 0, "in_channels": 4, "layers_per_block": 2,
  "mid_block_type": "UNetMidBlock2DCrossAttn", "norm_eps": 1e-05, "norm_num_groups": 16, "out_channels": 4,
  "projection_class_embeddings_input_dim": 704, "transformer_layers_per_block": [1, 2, 10],
  "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"], "use_linear_projection": true
}`

// Randn is a tensor of N(0, 1) values drawn from rng.
func Randn(rng *rand.Rand, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(v, dims...)
}

// RandomInputs are random CFG-batch (2) inputs of u for h×w latents, with
// SDXL's six time ids and timestep 999.
func RandomInputs(u *unet.UNet, rng *rand.Rand, h, w int) unet.Inputs {
	cfg := u.Config()
	ids := make([]float32, 2*6)
	for i := range ids {
		ids[i] = float32([]int{8 * h, 8 * w, 0, 0, 8 * h, 8 * w}[i%6])
	}
	pooled := *cfg.ProjectionClassEmbeddingsInputDim - 6**cfg.AdditionTimeEmbedDim
	return unet.Inputs{
		Sample:              Randn(rng, 2, cfg.InChannels, h, w),
		Timestep:            tensors.FromScalar(float32(999)),
		EncoderHiddenStates: Randn(rng, 2, 77, u.CrossAttnLayerInfo()[0].CrossDim),
		TextEmbeds:          Randn(rng, 2, pooled),
		TimeIDs:             tensors.FromFlatDataAndDimensions(ids, 2, 6),
	}
}

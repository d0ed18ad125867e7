// Package unet is diffusers' UNet2DConditionModel (as Stable Diffusion XL
// configures it) in GoMLX, with IP-Adapter's decoupled cross-attention
// built in.
//
// The structure is built from unet/config.json (Build): the tiny test
// configs and the real SDXL base config go through the same code, and any
// option this package does not implement is an error naming the key.
// Parameter names and shapes are diffusers' state-dict names (Specs), so a
// diffusers checkpoint loads without a name map.
//
// # Cross-attention and IP-Adapter
//
// Every attn2 layer takes the text tokens plus zero or more IP-Adapter
// streams (IPStream): per stream, the query attends separately to the
// adapter's image tokens (to_k_ip/to_v_ip, IPSpecs) and the result, scaled
// per layer and optionally masked per image, is added to the text
// attention before the shared output projection — diffusers'
// IPAdapterAttnProcessor2_0. Scales and masks are graph inputs, so a scale
// sweep never recompiles, and a scale of 0 adds exact zeros (the output is
// bitwise the no-adapter output). CrossAttnLayers gives the layer order
// (diffusers' attn_processors order: down blocks, up blocks, mid block)
// that numbers adapter weights and orders the scale rows.
//
// # Running
//
// Model holds the structure, the weights on a backend and the compiled
// graphs: Load(dir) reads a "unet" folder, Predict computes the noise
// prediction from host tensors. DefaultOptions(backend) gives the graph
// options (im2col convolutions on the pure-Go backend, see
// nn.Options.Im2Col). The timestep is an input, so one compiled graph
// serves a whole denoising loop. Attention maps (mean over heads) can
// be captured for heat-map displays (PredictWithAttention; names in
// capture.go); without capture the attentions may use fused kernels.
//
// # Numerics
//
// The graph computes in nn.Options.DType (float32 on CPU; float16/bfloat16
// on GPU) with weights kept in the checkpoint's dtype; group/layer norm
// statistics and softmax are float32. Against diffusers in float32 the
// noise prediction matches to about 1e-6 (the golden unet cases).
package unet

// Package nn holds the building blocks every model of this module is made
// of, with PyTorch's parameter names and weight layouts (Linear [out,in],
// Conv2d [O,I,kh,kw]), so a diffusers checkpoint loads without any mapping.
//
// A model is built in two steps, like a PyTorch module tree:
//
//  1. Construction from a config, through a Registry: each leaf layer
//     (Linear, Conv2d, GroupNorm, LayerNorm, Embedding, Param) records its
//     checkpoint name and shape. Registry.Specs() is then the model's state
//     dict description (names and shapes, no data), used both to validate a
//     checkpoint before loading it and to check full-size configurations
//     against the manifests of the real checkpoints.
//  2. Graph building: the same structs' Apply methods take a Ctx, which
//     hands out the loaded weights as graph nodes by name, in the compute
//     dtype, and carries backend-dependent choices (im2col convolutions on
//     the pure-Go backend, fused attention on CUDA).
//
// Numerics follow PyTorch: normalisation statistics and softmax are always
// computed in float32, matrix products accumulate in float32.
package nn

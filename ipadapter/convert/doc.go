// Package convert holds every mapping from a foreign checkpoint layout to
// the diffusers/transformers names the models use, so the models only ever
// see their own names (the project's rule: one place for foreign layouts).
//
// Two layouts are mapped:
//
//   - Stability's single-file SGM checkpoints of SDXL (sd_xl_base_1.0.safetensors):
//     SGMComponents splits one file into the unet, vae, text_encoder and
//     text_encoder_2 a diffusers folder would hold, with the index
//     arithmetic of the LDM/SGM module lists derived from the component
//     configs, as diffusers' convert_ldm_unet_checkpoint,
//     convert_ldm_vae_checkpoint, convert_ldm_clip_checkpoint and
//     convert_open_clip_checkpoint do (sgm*.go).
//   - The original tencent-ailab / h94 IP-Adapter files: image_proj and
//     ip_adapter keys to diffusers' names (ipadapter.go), as
//     UNet2DConditionModel._convert_ip_adapter_image_proj_to_diffusers and
//     _convert_ip_adapter_attn_to_diffusers do.
//
// Older diffusers names (the VAE attention's query/key/value/proj_attn)
// are renamed by the subpackage legacy, which the models themselves apply
// when they load (this package imports the models, so it cannot be here).
//
// A mapping is a list of TensorMap (new name, source name, and a
// transform: rows, reshape or transpose), and View shows a weights.Source
// through such a list. Nothing is read or copied when a view is built;
// renamed tensors, row slices (OpenCLIP's fused q/k/v) and reshapes (the
// VAE attention's 1×1 convolutions) are sub-slices of the source's
// memory-mapped bytes, and only a transpose (OpenCLIP's text_projection)
// makes a copy.
package convert

// Package adapter implements IP-Adapter for Stable Diffusion XL as diffusers
// runs it (IPAdapterMixin.load_ip_adapter, set_ip_adapter_scale,
// prepare_ip_adapter_image_embeds, IPAdapterMaskProcessor.downsample,
// IPAdapterAttnProcessor2_0 through ipadapter/unet), for the h94/IP-Adapter
// weight files in their original layout (.bin or .safetensors).
//
// A pipeline uses it in four steps:
//
//	ad, err := adapter.Load(unetModel, "ip-adapter-plus_sdxl_vit-h.safetensors") // load_ip_adapter
//	err = ad.CheckEncoder(encoder.Model.Config)                                 // the right image encoder?
//	err = ad.SetScale(adapter.Scale(0.6))                                       // set_ip_adapter_scale
//	embeds, err := ad.EncodeImages(enc, [][]image.Image{{ref}})                 // or EmbedsFromTensor / LoadEmbeds
//	cond, err := ad.Prepare(adapter.Request{Embeds: embeds, Batch: 1, CFG: true})
//	for step := range steps {
//		in.IP, err = cond.Inputs(step, steps) // tokens, scales (× window), masks
//		noise, err := unetModel.Predict(in)
//	}
//
// The parts, one file each:
//
//   - Open reads an adapter file and tells its kind from the keys and shapes
//     (Plain ImageProjModel with N tokens, Plus/Plus-Face Resampler with its
//     depth and heads, FullFace MLPProjModel; FaceID files are refused);
//     the original → diffusers name mapping and the detection by key names
//     live in ipadapter/convert (names.go gives them the package's short
//     names); File.CheckUNet refuses a file made for another UNet (an SD
//     1.5 adapter in SDXL).
//   - NewProjection builds the image projections (ImageProjection, Resampler,
//     FullFaceProjection); Projector runs them once per request, outside the
//     UNet graph, since the embeddings do not change across steps.
//   - Scale, PerAdapter, PerImage, Blocks (StyleOnly, StyleAndLayout) are
//     what set_ip_adapter_scale accepts (ParseScales reads the Python
//     value as JSON); ExpandScales makes the per-layer, per-image tables the
//     UNet takes as graph inputs, so a scale sweep never recompiles.
//   - Window switches an adapter on for part of the denoising (ComfyUI's
//     start_at/end_at, InvokeAI's begin/end_step_percent), through the same
//     scale inputs.
//   - File.Encode makes embeddings (image_embeds for Plain, hidden_states[-2]
//     for Plus, with diffusers' negatives); ImageEmbeds.Batch repeats them
//     for CFG and num_images_per_prompt; SaveEmbeds/LoadEmbeds keep them so
//     a reference image is encoded once.
//   - DownsampleMasks resizes preprocessed masks (imageops.MaskPreprocess,
//     NewMask) for every attn2 resolution, returning diffusers' aspect-ratio
//     warning instead of printing it.
//   - File.CheckEncoder refuses an image encoder that does not fit the
//     adapter, naming the encoder the file needs and where to get it,
//     instead of torch's "mat1 and mat2 shapes cannot be multiplied".
package adapter

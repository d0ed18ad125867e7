// Package clip implements the CLIP encoders Stable Diffusion XL and
// IP-Adapter use, as transformers defines them, built from each model's
// config.json:
//
//   - TextModel: CLIPTextModel (SDXL's text_encoder, ViT-L/14) and
//     CLIPTextModelWithProjection (text_encoder_2, OpenCLIP bigG/14);
//   - VisionModel: CLIPVisionModelWithProjection (IP-Adapter's image
//     encoders, ViT-H/14 and ViT-bigG/14);
//   - PromptEncoder: diffusers' StableDiffusionXLPipeline.encode_prompt on
//     top of both text encoders and their tokenizers.
//
// Models are described first (construction from a config through an
// nn.Registry, whose Specs are the checkpoint's names and shapes), then
// built into graphs by their Apply methods. The runtime types (TextEncoder,
// VisionEncoder) load config.json and model.safetensors from a folder, take
// host inputs and return host tensors. Each call names the outputs it
// wants (TextOutputs, VisionOutputs): only those become graph outputs, and
// encoder layers past the deepest one needed are not built at all, so
// asking for hidden_states[-2] alone skips the last layer.
//
// Numerics follow transformers' eager implementation: pre-LayerNorm
// encoder layers, attention softmax in float32, additive causal mask with
// the most negative finite float for the text models, and the pooling rule
// of CLIPTextTransformer, including the legacy one for configs with
// eos_token_id == 2 (SDXL's): pooled = last_hidden_state[argmax(ids)].
package clip

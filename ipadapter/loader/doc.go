// Package loader finds the files of a diffusers pipeline the way
// DiffusionPipeline.from_pretrained does, so every model package can be
// built from a folder and a weights.Source without knowing where they came
// from.
//
// Resolve reads a pipeline from a Hub repository id (through ipadapter/hub:
// revision, token, offline mode and cache folder are hub.Options) or a local
// folder: model_index.json (the component names with their library and
// class, force_zeros_for_empty_prompt and any other keys), then each
// component's files: config.json for models, scheduler_config.json,
// preprocessor_config.json, the tokenizer files, and for models the weights
// in diffusers' order of preference (weight_files.go): the requested
// variant first (diffusion_pytorch_model.fp16.safetensors,
// model.fp16.safetensors, sharded *.safetensors.index.fp16.json), then
// safetensors before .bin. A component folder without any variant file
// falls back to the plain weights, as diffusers does, and the Pipeline's
// Notes say so. Any component can be taken from elsewhere (Options.Replace:
// a fixed VAE such as madebyollin/sdxl-vae-fp16-fix, an image encoder from
// h94/IP-Adapter models/image_encoder) or left out (Options.Skip).
//
// ResolveStandalone finds one component stored on its own, outside any
// pipeline (h94/IP-Adapter's sdxl_models/image_encoder for load_ip_adapter).
//
// SingleFile reads Stability's single-file checkpoint (sd_xl_base_1.0.safetensors)
// with the configs of a diffusers folder or repository, as
// from_single_file(config=...) does; ipadapter/convert maps its tensors to
// the components' names.
//
// Nothing here builds a model or reads tensor data: a Component has its
// folder, config path, weight files and a Source to open.
package loader

// Package ipadapter is Stable Diffusion XL with IP-Adapter, as diffusers
// runs it (StableDiffusionXLPipeline with IPAdapterMixin), in Go: GoMLX
// graphs compiled by XLA for CUDA GPUs, or run by the pure-Go backend on
// the CPU. For the same seed and settings it gives diffusers' numbers.
//
// The calls read like diffusers' IP-Adapter guide:
//
//	pipe, err := ipadapter.FromPretrained(ctx, "stabilityai/stable-diffusion-xl-base-1.0",
//		ipadapter.Options{Variant: "fp16"})
//	err = pipe.LoadIPAdapter(ctx, "h94/IP-Adapter", "sdxl_models", "ip-adapter_sdxl.safetensors")
//	err = pipe.SetIPAdapterScale(adapter.Scale(0.6))
//	res, err := pipe.Generate(ctx, ipadapter.Request{
//		Prompt:          ipadapter.Text("a polar bear sitting in a chair drinking a milkshake"),
//		NegativePrompt:  ipadapter.Text("deformed, ugly, wrong proportion, low res"),
//		IPAdapterImages: [][]image.Image{{ref}},
//		Seed:            ipadapter.Seed(0),
//	})
//	err = res.SavePNG("bear.png", 0)
//
// # Loading
//
// FromPretrained reads a diffusers folder or Hub repository (through the
// Hugging Face cache, offline when the files are there); FromSingleFile
// reads Stability's single-file checkpoints with the configs of a diffusers
// folder. Options choose the backend and compute dtype (by default package
// xla's choice: float16 on CUDA, float32 on the CPU), the weight variant,
// the hub settings, and replacement components (a VAE such as
// madebyollin/sdxl-vae-fp16-fix, the ViT-H image encoder the _vit-h
// adapters need). Package loader finds the files; each model's package
// builds it. Weights go from the memory-mapped files to the backend one
// tensor at a time, with the mapped pages released as soon as they are
// copied, so loading holds one host copy of the weights (bench/loadrss).
//
// # IP-Adapters
//
// LoadIPAdapter loads one or several adapter files (.safetensors or .bin,
// h94 layout) and the image encoder they read, refusing an encoder that
// does not fit the adapter; SetIPAdapterScale takes every form of
// set_ip_adapter_scale (package adapter: Scale, PerAdapter, PerImage with
// masks, Blocks/StyleOnly/StyleAndLayout for InstantStyle);
// UnloadIPAdapter removes them. LoadIPAdapters takes one source per
// adapter (IPAdapterSources reads load_ip_adapter's lists), and loads
// transactionally: a failed load keeps the adapters and encoder there
// were. Beyond diffusers, Request.IPAdapterWindows limits an adapter to
// part of the denoising, and an encoder an earlier load brought is
// replaced when new adapters need another. EncodeImagesWith (or an
// ImageEmbedder) makes the pipeline's image embeddings without loading
// the pipeline.
//
// # Generating
//
// Generate validates the request up front (diffusers' error conditions and
// messages, and clear ones where diffusers fails obscurely), then runs the
// loop exactly as diffusers does; IP scales, masks and timesteps are graph
// inputs, so one compiled UNet serves every step and every scale. The
// context cancels a run between steps; Request.Progress reports each step
// with a cheap preview. SetScheduler swaps the scheduler by diffusers class
// name. Request.AttentionMaps returns the cross-attention maps of chosen
// layers and steps, from the run's own UNet calls. Compilations counts
// the compiled graphs of each component.
//
// # Results
//
// A Result holds images, the decoded array or the latents (OutputType),
// and Metadata: models with the sha256 of every weight file, scheduler,
// dtype, backend, seed and every setting. SavePNG writes it into the PNG
// (iTXt chunks) atomically; ReadMetadata reads it back.
package ipadapter

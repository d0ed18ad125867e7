// Package vae is diffusers' AutoencoderKL, the VAE of Stable Diffusion XL,
// as GoMLX graphs: the decoder that turns the denoised latents into an
// image, the encoder (image → diagonal Gaussian over latents) for
// image-to-image work, the latent scaling between the UNet's space and the
// VAE's, and VaeImageProcessor's pre- and post-processing down to 8-bit
// images with NumPy's rounding.
//
// The structure follows diffusers exactly so a diffusers "vae" folder loads
// by name (legacy attention names query/key/value/proj_attn included,
// renamed by ipadapter/convert/legacy):
//
//   - decoder: post_quant_conv → conv_in → mid block (resnet, single-head
//     attention over all H·W pixels, resnet) → up blocks of
//     layers_per_block+1 resnets with nearest-2× upsampling + conv →
//     GroupNorm/SiLU/conv_out;
//   - encoder: conv_in → down blocks with diffusers' asymmetric-padding
//     stride-2 downsampling → mid block → GroupNorm/SiLU/conv_out →
//     quant_conv → mean and clamped log-variance.
//
// Precision: the SDXL VAE's activations overflow float16, which is why its
// config sets force_upcast and why diffusers decodes in float32 even when
// the UNet runs in half precision. The compute dtype is a Model option;
// DefaultOptions picks float32 whenever force_upcast is set, so half
// precision is only chosen for VAEs made for it (sdxl-vae-fp16-fix).
//
// On CUDA, float32 convolutions through the backend's Convolve use TF32
// (go-xla passes default precision; PyTorch's cuDNN does the same by
// default): measured on an H200, decodes were 2–3e-3 away from the CPU
// reference, 40× the golden tolerance, and NVIDIA_TF32_OVERRIDE=0 only
// brought that to 3e-4. With Options.Im2Col every convolution is a matrix
// product instead, and with go-xla's dot TF32 switch off the decode matched
// to 5e-6 — at about 5× the time (SDXL 1024² decode: 277 ms against 57 ms
// with TF32 and 31 ms in float16).
//
// Typical use after the denoising loop:
//
//	cfg, err := vae.ReadConfig(dir + "/config.json")
//	m, err := vae.Load(dir, backend, vae.DefaultOptions(backend, cfg, dtypes.Float16))
//	img, err := m.DecodeLatents(latents)   // latents / scaling_factor, decode
//	arr, err := vae.Postprocess(img)       // output_type="np"
//	pics, err := arr.Images()              // output_type="pil"
package vae

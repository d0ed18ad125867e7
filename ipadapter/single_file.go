package ipadapter

import (
	"context"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/loader"
)

// FromSingleFile loads Stability's single-file SDXL checkpoint
// (sd_xl_base_1.0.safetensors: UNet, VAE and both text encoders under
// their SGM names), a local file or a Hub file URL, as StableDiffusionXL
// Pipeline.from_single_file(path, config=opts.Config) does. The configs,
// tokenizers and scheduler come from the diffusers pipeline opts.Config
// names (default stabilityai/stable-diffusion-xl-base-1.0); only its small
// files are read, so a local or cached config needs no network. An image
// encoder the config folder holds weights for is loaded too; Options.VAE
// replaces the checkpoint's VAE.
func FromSingleFile(ctx context.Context, path string, opts Options) (*Pipeline, error) {
	o, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	config := o.Config
	if config == "" {
		config = DefaultSingleFileConfig
	}
	lp, err := loader.SingleFile(ctx, path, config, o.loaderOptions())
	if err != nil {
		return nil, err
	}
	return build(lp, o)
}

package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
)

func generateCommand() *command {
	return &command{
		name:    "generate",
		summary: "generate images from a prompt and reference images",
		about: `Generates images with Stable Diffusion XL conditioned on reference images through
IP-Adapters, as diffusers' StableDiffusionXLPipeline does with load_ip_adapter and
set_ip_adapter_scale; the same seed and settings give diffusers' image. Each PNG
carries everything needed to make it again (models with their sha256, seed,
settings) in its text chunks.

The seed example of diffusers' IP-Adapter guide:

` + guideExample + `

More examples:

  # Two reference images for one adapter, a plus adapter with its ViT-H encoder
  ipadapter generate --image-encoder h94/IP-Adapter/models/image_encoder \
    --ip-adapter h94/IP-Adapter/sdxl_models/ip-adapter-plus_sdxl_vit-h.safetensors \
    --ip-image a.png,b.png --scale 0.7 --prompt "a cat" --num-images 2 --out cat.png

  # InstantStyle: take only the style of the reference image
  ipadapter generate --ip-adapter h94/IP-Adapter/sdxl_models/ip-adapter_sdxl.bin \
    --ip-image style.png --scale style --prompt "a cat, masterpiece" --seed 42

  # Reuse embeddings made once by 'ipadapter embed', without the image encoder
  ipadapter generate --ip-adapter h94/IP-Adapter/sdxl_models/ip-adapter_sdxl.bin \
    --ip-embeds diner.safetensors --prompt "a polar bear" --offline`,
		setup: func(fs *flag.FlagSet) ([]flagGroup, runFunc) {
			c := &generateCmd{}
			return c.register(fs), c.run
		},
	}
}

// generateCmd is the generate command's flags.
type generateCmd struct {
	genFlags
	out, latents string
}

func (c *generateCmd) register(fs *flag.FlagSet) []flagGroup {
	groups := c.genFlags.register(fs)
	fs.StringVar(&c.out, "out", "out.png", "output PNG `FILE`; with several images FILE_0.png, FILE_1.png, …")
	fs.StringVar(&c.latents, "latents", "", "also save the final latents (before the VAE) to `FILE`.safetensors")
	return append(groups, flagGroup{title: "Output", names: []string{"out", "latents", c.registerQuiet(fs)}})
}

func (c *generateCmd) run(ctx context.Context, a *app, args []string) error {
	if err := c.check(args); err != nil {
		return err
	}
	if err := checkOutput("out", c.out, ".png"); err != nil {
		return err
	}
	if c.latents != "" {
		if err := checkOutput("latents", c.latents, ".safetensors"); err != nil {
			return err
		}
	}
	p := newProgress(a, c.quiet)
	defer p.end() // erase a bar before the error line, if any
	pipe, req, err := c.open(ctx, p)
	if err != nil {
		return err
	}
	defer pipe.Close()

	var final *ipadapter.Array
	req.Progress = func(pr ipadapter.Progress) {
		p.step(pr)
		if pr.Step == pr.Total {
			final = pr.Latents // the last step's latents are the output's
		}
	}
	res, err := pipe.Generate(ctx, req)
	p.end()
	if err != nil {
		return err
	}
	// A signal after the last step must not leave files behind either.
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, w := range res.Warnings {
		p.info("warning: %s", w)
	}
	paths := imagePaths(c.out, len(res.Images))
	for i, path := range paths {
		if err := res.SavePNG(path, i); err != nil {
			return err
		}
	}
	if c.latents != "" {
		if err := saveLatents(c.latents, final, res.Metadata); err != nil {
			return err
		}
		paths = append(paths, c.latents)
	}
	if !c.quiet {
		for _, path := range paths {
			fmt.Fprintf(a.stdout, "wrote %s\n", path)
		}
		if res.Metadata.Seed != nil {
			fmt.Fprintf(a.stdout, "seed %d, %d steps in %.1fs\n", *res.Metadata.Seed, res.Metadata.NumInferenceSteps, res.Metadata.Seconds)
		}
	}
	return nil
}

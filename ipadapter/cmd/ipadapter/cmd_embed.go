package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
)

func embedCommand() *command {
	return &command{
		name:    "embed",
		summary: "encode reference images once, for generate --ip-embeds",
		about: `Encodes reference images with the image encoder the adapters need, as diffusers'
prepare_ip_adapter_image_embeds does, and saves the embeddings (negative half
included) to a safetensors file: one tensor image_embeds.<i> per adapter, which
Python can load as ip_adapter_image_embeds. 'ipadapter generate --ip-embeds FILE'
then skips the image encoder (and does not load it). Give the same --ip-adapter
flags here and to generate: the embeddings are made for those adapters.

Example:

  ipadapter embed --ip-adapter h94/IP-Adapter/sdxl_models/ip-adapter_sdxl.bin \
    --ip-image https://huggingface.co/datasets/huggingface/documentation-images/resolve/main/diffusers/ip_adapter_diner.png \
    --out diner.safetensors`,
		setup: func(fs *flag.FlagSet) ([]flagGroup, runFunc) {
			c := &embedCmd{}
			return c.register(fs), c.run
		},
	}
}

// embedCmd is the embed command's flags.
type embedCmd struct {
	model modelFlags
	ip    ipFlags
	out   string
	quiet bool
}

func (c *embedCmd) register(fs *flag.FlagSet) []flagGroup {
	groups := c.model.register(fs)
	fs.Var(&c.ip.adapters, "ip-adapter", "the adapter weights the embeddings are for: a local `FILE`, or REPO/SUBFOLDER/WEIGHT on the Hub; repeat for several adapters (each from any folder or repository)")
	fs.Var(&c.ip.images, "ip-image", "reference image of one adapter (`PATH|URL`), in --ip-adapter order; several images for one adapter: a comma-separated list")
	fs.StringVar(&c.out, "out", "embeds.safetensors", "embeddings `FILE`.safetensors")
	fs.BoolVar(&c.quiet, "quiet", false, "no progress or messages, only errors")
	return append(groups,
		flagGroup{title: "IP-Adapter", names: []string{"ip-adapter", "ip-image"}},
		flagGroup{title: "Output", names: []string{"out", "quiet"}})
}

func (c *embedCmd) run(ctx context.Context, a *app, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	if len(c.ip.adapters) == 0 {
		return usagef("give the adapters to encode for: --ip-adapter")
	}
	if len(c.ip.images) == 0 {
		return usagef("give the reference images to encode: --ip-image")
	}
	for _, check := range []func() error{c.model.check, c.ip.check} {
		if err := check(); err != nil {
			return err
		}
	}
	if err := checkOutput("out", c.out, ".safetensors"); err != nil {
		return err
	}
	p := newProgress(a, c.quiet)
	defer p.end() // erase a bar before the error line, if any
	opts, err := c.model.options(p)
	if err != nil {
		return err
	}
	// Only the image encoder and the adapters' headers are loaded: the
	// encoder and feature extractor the pipeline would use, not SDXL.
	embedOpts := ipadapter.EmbedOptions{Options: opts, Pipeline: c.model.model, SingleFile: c.model.singleFile != ""}
	images, err := c.ip.referenceImages(ctx)
	if err != nil {
		return err
	}
	p.info("loading the image encoder for IP-Adapter %s", strings.Join(c.ip.adapters, ", "))
	embedder, err := ipadapter.NewImageEmbedder(ctx, embedOpts, c.ip.sources...)
	if err != nil {
		return err
	}
	defer embedder.Close()
	p.info("encoding %d reference image(s)", c.ip.imageCount())
	embeds, err := embedder.Encode(images)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := adapter.SaveEmbeds(c.out, embeds); err != nil {
		return err
	}
	if !c.quiet {
		var kinds []string
		for _, e := range embeds {
			kinds = append(kinds, fmt.Sprintf("%s %v", e.Kind, e.Shape))
		}
		fmt.Fprintf(a.stdout, "wrote %s (%s)\n", c.out, strings.Join(kinds, "; "))
	}
	return nil
}

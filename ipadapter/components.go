package ipadapter

import (
	"context"
	"fmt"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip/tokenizer"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/imageops"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/loader"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/scheduler"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/vae"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// Building each model from a resolved component (package loader found its
// files: a diffusers folder, the Hub cache, or a single-file checkpoint
// mapped to diffusers names). The weights go from the memory-mapped file
// to the backend one tensor at a time, and the file is closed as soon as
// the model holds them.

// withSource opens a component's weights for build and closes them after.
func withSource(c *loader.Component, build func(weights.Source) error) error {
	src, err := c.Source()
	if err != nil {
		return err
	}
	released := newReleasingSource(src)
	defer released.Close()
	if err := build(released); err != nil {
		return fmt.Errorf("%s (%s): %w", c.Name, c.Origin, err)
	}
	return nil
}

func newUNet(c *loader.Component, o resolved) (m *unet.Model, err error) {
	cfg, err := unet.LoadConfig(c.ConfigPath)
	if err != nil {
		return nil, err
	}
	err = withSource(c, func(src weights.Source) (err error) {
		m, err = unet.New(cfg, src, o.backend, o.modelOptions())
		return err
	})
	return m, err
}

func newVAE(c *loader.Component, o resolved) (m *vae.Model, err error) {
	cfg, err := vae.ReadConfig(c.ConfigPath)
	if err != nil {
		return nil, err
	}
	err = withSource(c, func(src weights.Source) (err error) {
		m, err = vae.New(cfg, src, o.backend, vae.DefaultOptions(o.backend, cfg, o.dtype))
		return err
	})
	return m, err
}

// newTextEncoder builds a text encoder and checks it is the class
// model_index.json names.
func newTextEncoder(c *loader.Component, o resolved) (e *clip.TextEncoder, err error) {
	cfg, err := clip.ReadTextConfig(c.Dir)
	if err != nil {
		return nil, err
	}
	if cfg.Architecture() != c.Class {
		return nil, fmt.Errorf("%s (%s): model_index.json says %s, its config.json builds %s", c.Name, c.Origin, c.Class, cfg.Architecture())
	}
	m, err := clip.NewTextModel(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s (%s): %w", c.Name, c.Origin, err)
	}
	err = withSource(c, func(src weights.Source) (err error) {
		e, err = clip.NewTextEncoder(m, src, o.backend, o.modelOptions())
		return err
	})
	return e, err
}

func newImageEncoder(c *loader.Component, o resolved) (e *clip.VisionEncoder, err error) {
	cfg, err := clip.ReadVisionConfig(c.Dir)
	if err != nil {
		return nil, err
	}
	m, err := clip.NewVisionModel(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s (%s): %w", c.Name, c.Origin, err)
	}
	err = withSource(c, func(src weights.Source) (err error) {
		e, err = clip.NewVisionEncoder(m, src, o.backend, o.modelOptions())
		return err
	})
	return e, err
}

func newTokenizer(c *loader.Component) (*tokenizer.Tokenizer, error) {
	t, err := tokenizer.Load(c.Dir)
	if err != nil {
		return nil, fmt.Errorf("%s (%s): %w", c.Name, c.Origin, err)
	}
	return t, nil
}

func newSchedulerConfig(c *loader.Component) (scheduler.Config, error) {
	cfg, err := scheduler.LoadConfig(c.ConfigPath)
	if err != nil {
		return cfg, fmt.Errorf("%s (%s): %w", c.Name, c.Origin, err)
	}
	return cfg, nil
}

func newFeatureExtractor(c *loader.Component) (*imageops.CLIPProcessorConfig, error) {
	cfg, err := imageops.LoadCLIPProcessorConfig(c.ConfigPath)
	if err != nil {
		return nil, fmt.Errorf("%s (%s): %w", c.Name, c.Origin, err)
	}
	return &cfg, nil
}

// LoadUNet loads a UNet on its own, as UNet2DConditionModel.from_pretrained(
// ref.Repo, subfolder=ref.Subfolder, variant=opts.Variant) does, through
// the same code as FromPretrained: to run or measure the UNet alone.
func LoadUNet(ctx context.Context, ref ComponentRef, opts Options) (*unet.Model, error) {
	o, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	c, _, err := loader.ResolveStandalone(ctx, "unet", o.location(ref), o.Hub)
	if err != nil {
		return nil, err
	}
	return newUNet(c, o)
}

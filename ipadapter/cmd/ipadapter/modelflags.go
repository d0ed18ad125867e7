package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/gomlx/compute/dtypes"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/hub"
	"github.com/seed11f6bdef/gonb-ipadapter/xla"
)

// defaultModel is the model of diffusers' IP-Adapter guide.
const defaultModel = "stabilityai/stable-diffusion-xl-base-1.0"

// modelFlags choose the pipeline and where it runs (generate, sweep, embed).
type modelFlags struct {
	model, singleFile, config string
	variant, revision         string
	vae, imageEncoder         string
	offline                   bool
	backend                   backendFlags
	given                     func() map[string]bool
}

func (m *modelFlags) register(fs *flag.FlagSet) []flagGroup {
	fs.StringVar(&m.model, "model", defaultModel, "diffusers SDXL pipeline: a local folder or a Hub repository `DIR|REPO`")
	fs.StringVar(&m.singleFile, "single-file", "", "single-file SDXL checkpoint `PATH|URL` (sd_xl_base_1.0.safetensors) instead of --model: a local file or a Hub file URL")
	fs.StringVar(&m.config, "config", "", "for --single-file: the diffusers pipeline `DIR|REPO` whose configs and tokenizers describe the checkpoint (default: "+ipadapter.DefaultSingleFileConfig+")")
	fs.StringVar(&m.variant, "variant", "", "weights `VARIANT` to prefer, e.g. fp16")
	fs.StringVar(&m.revision, "revision", "", "Hub `REVISION` of --model: branch, tag or commit (default: main)")
	fs.StringVar(&m.vae, "vae", "", "replace the VAE with `DIR|REPO[/SUB]`, e.g. madebyollin/sdxl-vae-fp16-fix")
	fs.StringVar(&m.imageEncoder, "image-encoder", "", "IP-Adapter image encoder `DIR|REPO[/SUB]`, e.g. h94/IP-Adapter/models/image_encoder (ViT-H, for the _vit-h adapters; default: the pipeline's, else the one in the adapters' folder)")
	fs.BoolVar(&m.offline, "offline", false, "use the Hugging Face cache only (as HF_HUB_OFFLINE=1)")
	m.given = func() map[string]bool { return givenFlags(fs) }
	return []flagGroup{
		{title: "Model", names: []string{"model", "single-file", "config", "variant", "revision", "vae", "image-encoder", "offline"}},
		m.backend.register(fs),
	}
}

// check reports contradictory model flags before anything is loaded.
func (m *modelFlags) check() error {
	given := m.given()
	if m.singleFile != "" && given["model"] {
		return usagef("--model and --single-file are two ways to name the model: give one")
	}
	if m.config != "" && m.singleFile == "" {
		return usagef("--config describes a --single-file checkpoint; with --model the configs are the pipeline's own")
	}
	return m.backend.check()
}

// options are the pipeline's Options for these flags.
func (m *modelFlags) options(p *progress) (ipadapter.Options, error) {
	if err := m.backend.apply(); err != nil {
		return ipadapter.Options{}, err
	}
	opts := ipadapter.Options{
		DType:   m.backend.dtype,
		Variant: m.variant,
		Hub:     hub.Options{Offline: m.offline, Revision: m.revision, ProgressFile: p.download},
		Config:  m.config,
	}
	if m.vae != "" {
		opts.VAE = componentRef(m.vae)
	}
	if m.imageEncoder != "" {
		opts.ImageEncoder = componentRef(m.imageEncoder)
	}
	return opts, nil
}

// load loads the pipeline, telling the user what it loads and what
// loading noted (another variant than asked for, unused tensors, …).
func (m *modelFlags) load(ctx context.Context, p *progress) (*ipadapter.Pipeline, error) {
	opts, err := m.options(p)
	if err != nil {
		return nil, err
	}
	var pipe *ipadapter.Pipeline
	if m.singleFile != "" {
		p.info("loading %s", m.singleFile)
		pipe, err = ipadapter.FromSingleFile(ctx, m.singleFile, opts)
	} else {
		p.info("loading %s", m.model)
		pipe, err = ipadapter.FromPretrained(ctx, m.model, opts)
	}
	if err != nil {
		return nil, err
	}
	for _, n := range pipe.Notes() {
		p.info("note: %s", n)
	}
	return pipe, nil
}

// backendFlags choose the backend and the compute dtype (every command
// that computes, and env).
type backendFlags struct {
	name, dtypeName string
	dtype           dtypes.DType
}

func (b *backendFlags) register(fs *flag.FlagSet) flagGroup {
	fs.StringVar(&b.name, "backend", "", "`BACKEND`: go, xla:cuda, xla:cpu or xla:/path/plugin.so; overrides GOMLX_BACKEND (default: CUDA when found, else go)")
	fs.StringVar(&b.dtypeName, "dtype", "", "compute `DTYPE`: f32, f16 or bf16 (default: f16 on CUDA, f32 on the CPU)")
	return flagGroup{title: "Backend", names: []string{"backend", "dtype"}}
}

func (b *backendFlags) check() error {
	if b.dtypeName == "" {
		return nil
	}
	d, err := xla.ParseDType(b.dtypeName)
	if err != nil {
		return usagef("--dtype %s: %v", b.dtypeName, err)
	}
	b.dtype = d
	return nil
}

// apply sets the process environment package xla reads, before it
// creates the backend: the choice is made once per process.
func (b *backendFlags) apply() error {
	if b.name != "" {
		if err := os.Setenv(xla.BackendEnv, b.name); err != nil {
			return fmt.Errorf("setting %s: %w", xla.BackendEnv, err)
		}
	}
	if b.dtypeName != "" {
		if err := os.Setenv(xla.DTypeEnv, b.dtypeName); err != nil {
			return fmt.Errorf("setting %s: %w", xla.DTypeEnv, err)
		}
	}
	return nil
}

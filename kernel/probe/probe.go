package probe

import (
	"context"
	"errors"
	"fmt"
	"path"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip/tokenizer"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/hub"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/loader"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
	"github.com/seed11f6bdef/gonb-ipadapter/xla"
)

// Spec says where the pipeline's files are, as it was loaded.
type Spec struct {
	// Model is a diffusers folder or Hub repository, or with SingleFile a
	// checkpoint read with the configs of Config.
	Model      string
	SingleFile bool
	Config     string
	Variant    string
	Hub        hub.Options
	// DType is the compute dtype; InvalidDType means the backend's default,
	// as for the pipeline.
	DType dtypes.DType
}

// Probe is a UNet with text conditioning and IP-Adapters, for single
// calls with attention capture.
type Probe struct {
	spec     Spec
	backend  compute.Backend
	opts     nn.Options
	text     *clip.PromptEncoder
	unet     *unet.Model
	adapters *adapter.Adapters
	// adapterKey identifies the loaded adapter files, to skip reloading.
	adapterKey string
}

// skipped are the components a UNet call does not need.
var skipped = []string{"vae", "image_encoder", "feature_extractor"}

// Load builds a probe for the pipeline spec describes, on the process's
// backend (the one ipadapter.Pipeline uses by default).
func Load(ctx context.Context, spec Spec) (*Probe, error) {
	backend, err := xla.Backend()
	if err != nil {
		return nil, fmt.Errorf("choosing a backend: %w", err)
	}
	dt := spec.DType
	if dt == dtypes.InvalidDType {
		dt = xla.ComputeDType(backend)
	}
	opts := unet.DefaultOptions(backend)
	opts.DType = dt
	lo := loader.Options{Hub: spec.Hub, Variant: spec.Variant, Skip: skipped}
	var lp *loader.Pipeline
	if spec.SingleFile {
		cfg := spec.Config
		if cfg == "" {
			cfg = "stabilityai/stable-diffusion-xl-base-1.0"
		}
		lp, err = loader.SingleFile(ctx, spec.Model, cfg, lo)
	} else {
		lp, err = loader.Resolve(ctx, spec.Model, lo)
	}
	if err != nil {
		return nil, fmt.Errorf("attention probe: %w", err)
	}
	p := &Probe{spec: spec, backend: backend, opts: opts}
	if err := p.build(lp); err != nil {
		p.Close()
		return nil, fmt.Errorf("attention probe: %w", err)
	}
	return p, nil
}

func (p *Probe) build(lp *loader.Pipeline) error {
	p.text = &clip.PromptEncoder{ForceZerosForEmptyPrompt: lp.Index.ForceZerosForEmptyPrompt}
	for _, pair := range [][2]string{{"tokenizer", "text_encoder"}, {"tokenizer_2", "text_encoder_2"}} {
		tc, ec := lp.Components[pair[0]], lp.Components[pair[1]]
		if tc == nil || ec == nil {
			continue
		}
		tok, err := tokenizer.Load(tc.Dir)
		if err != nil {
			return fmt.Errorf("%s: %w", pair[0], err)
		}
		enc, err := textEncoder(ec, p.backend, p.opts)
		if err != nil {
			return err
		}
		p.text.Tokenizers = append(p.text.Tokenizers, tok)
		p.text.Encoders = append(p.text.Encoders, enc)
	}
	if len(p.text.Encoders) == 0 {
		return errors.New("the pipeline has no text encoder")
	}
	c, err := lp.Component("unet")
	if err != nil {
		return err
	}
	cfg, err := unet.LoadConfig(c.ConfigPath)
	if err != nil {
		return err
	}
	return withSource(c, func(src weights.Source) (err error) {
		p.unet, err = unet.New(cfg, src, p.backend, p.opts)
		return err
	})
}

func textEncoder(c *loader.Component, backend compute.Backend, opts nn.Options) (e *clip.TextEncoder, err error) {
	cfg, err := clip.ReadTextConfig(c.Dir)
	if err != nil {
		return nil, err
	}
	m, err := clip.NewTextModel(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Name, err)
	}
	err = withSource(c, func(src weights.Source) (err error) {
		e, err = clip.NewTextEncoder(m, src, backend, opts)
		return err
	})
	return e, err
}

// withSource opens a component's weights for build and closes them after.
func withSource(c *loader.Component, build func(weights.Source) error) error {
	src, err := c.Source()
	if err != nil {
		return err
	}
	defer src.Close()
	if err := build(src); err != nil {
		return fmt.Errorf("%s (%s): %w", c.Name, c.Origin, err)
	}
	return nil
}

// AdapterFiles names IP-Adapter weight files as load_ip_adapter does.
type AdapterFiles struct {
	Repo, Subfolder, Revision string
	WeightNames               []string
}

func (a AdapterFiles) key() string {
	return fmt.Sprintf("%q %q %q %q", a.Repo, a.Subfolder, a.Revision, a.WeightNames)
}

// SetAdapters loads the pipeline's IP-Adapter files into the probe's
// UNet, unless they are loaded already; no files unloads them.
func (p *Probe) SetAdapters(ctx context.Context, files *AdapterFiles) error {
	key := ""
	if files != nil {
		key = files.key()
	}
	if key == p.adapterKey {
		return nil
	}
	if p.adapters != nil {
		err := p.adapters.Unload()
		p.adapters, p.adapterKey = nil, ""
		if err != nil {
			return err
		}
	}
	if files == nil {
		return nil
	}
	h := p.spec.Hub
	h.Revision = files.Revision
	var paths []string
	names := files.WeightNames
	if len(names) == 0 {
		names = []string{""} // the repository is the file
	}
	for _, name := range names {
		rel := name
		if name != "" {
			rel = path.Join(files.Subfolder, name)
		}
		local, err := hub.Download(ctx, files.Repo, rel, h)
		if err != nil {
			return fmt.Errorf("attention probe: IP-Adapter %s: %w", path.Join(files.Repo, rel), err)
		}
		paths = append(paths, local)
	}
	ad, err := adapter.Load(p.unet, paths...)
	if err != nil {
		return fmt.Errorf("attention probe: %w", err)
	}
	p.adapters, p.adapterKey = ad, key
	return nil
}

// Layers describes the UNet's attn2 layers in attn_processors order.
func (p *Probe) Layers() []unet.CrossAttnLayer { return p.unet.UNet().CrossAttnLayerInfo() }

// Tokenize returns the first tokenizer's tokens of a prompt.
func (p *Probe) Tokenize(prompt string) []string { return p.text.Tokenizers[0].Tokenize(prompt) }

// Compilations counts the probe UNet's compiled graphs.
func (p *Probe) Compilations() int { return p.unet.Compilations() }

// Close frees the probe's models.
func (p *Probe) Close() {
	if p.adapters != nil {
		p.adapters.Unload()
		p.adapters = nil
	}
	if p.unet != nil {
		p.unet.Close()
		p.unet = nil
	}
	if p.text != nil {
		p.text.Close()
		p.text = nil
	}
}

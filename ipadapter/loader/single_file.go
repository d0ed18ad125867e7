package loader

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/errtext"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/convert"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/hub"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/vae"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// singleFileComponents are the components an SDXL single-file checkpoint holds.
var singleFileComponents = []string{convert.UNet, convert.VAE, convert.TextEncoder, convert.TextEncoder2}

// textEncoderNote explains how the two text encoders are told apart.
const textEncoderNote = "text encoders: conditioner.embedders.0 (CLIP ViT-L, transformers names) is text_encoder and " +
	"conditioner.embedders.1 (OpenCLIP ViT-bigG) is text_encoder_2, by the file's layout; diffusers' from_single_file " +
	"tells them apart by width instead, which swaps them when both are equally wide (never for the real SDXL)"

// SingleFile reads a pipeline from Stability's single-file SDXL checkpoint
// (sd_xl_base_1.0.safetensors; a .ckpt works too), with the configs,
// tokenizers and scheduler of config (a diffusers folder or Hub repository,
// "stabilityai/stable-diffusion-xl-base-1.0" for SDXL base), as
// StableDiffusionXLPipeline.from_single_file(checkpoint, config=config)
// does. checkpoint is a local file or a Hub URL
// (https://huggingface.co/<repo>/blob/<revision>/<file>).
//
// Only config files are fetched from config, so a cached or local config
// folder needs no network. A component the checkpoint does not hold (an
// image_encoder the config lists) comes from config only if its weights are
// already there; otherwise give it with Options.Replace or leave it out
// with Options.Skip. Replacing a component the checkpoint holds (a fixed
// VAE) takes that one from the replacement. Options.Variant applies to
// components taken from config's folder.
func SingleFile(ctx context.Context, checkpoint, config string, opts Options) (*Pipeline, error) {
	ckpt, err := localCheckpoint(ctx, checkpoint, opts.Hub)
	if err != nil {
		return nil, err
	}
	root := folder{repo: config, opts: opts.Hub}
	p, err := readIndex(ctx, root)
	if err != nil {
		return nil, err
	}
	p.Source = ckpt
	names, err := componentNames(p.Index, opts)
	if err != nil {
		return nil, err
	}
	// The four configs are read even for replaced components: the
	// checkpoint's layout is described by all of them.
	configs := map[string]*Component{}
	for _, name := range singleFileComponents {
		if _, listed := p.Index.Components[name]; !listed {
			return nil, fmt.Errorf("loader: %s's model_index.json has no %s: not an SDXL base config (the refiner has no text_encoder)", root, name)
		}
		c, _, err := resolveComponent(ctx, folder{repo: config, sub: name, opts: opts.Hub}, name, p.Index.Components[name], "", noWeights)
		if err != nil {
			return nil, err
		}
		configs[name] = c
	}
	sgm, err := sgmConfigs(configs)
	if err != nil {
		return nil, err
	}
	split, err := splitCheckpoint(ckpt, sgm)
	if err != nil {
		return nil, err
	}
	p.Notes = append(p.Notes, textEncoderNote)
	if n := len(split.Ignored); n > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("%s: %d tensors that are not parameters left out (%s)", ckpt, n, errtext.Abbreviate(split.Ignored, 3)))
	}
	if n := len(split.Unknown); n > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("%s: %d tensors no component uses, not loaded (%s)", ckpt, n, errtext.Abbreviate(split.Unknown, 5)))
	}
	for _, name := range names {
		_, replaced := opts.Replace[name]
		if !slices.Contains(singleFileComponents, name) || replaced {
			c, notes, err := resolveNamed(ctx, root, p.Index, name, opts, cachedWeights)
			if err != nil {
				return nil, err
			}
			p.Components[name], p.Notes = c, append(p.Notes, notes...)
			continue
		}
		if split.Components[name] == nil {
			return nil, fmt.Errorf("loader: %s has no %s (no tensors under %q): give it with Options.Replace", ckpt, name, convert.SGMPrefixes[name])
		}
		c := configs[name]
		c.Origin = fmt.Sprintf("%s (%s*, config from %s)", ckpt, convert.SGMPrefixes[name], c.Origin)
		c.WeightFiles = []string{ckpt}
		c.open = openSingleFileComponent(ckpt, sgm, name)
		p.Components[name] = c
	}
	return p, nil
}

// sgmConfigs reads the configs the checkpoint is mapped with.
func sgmConfigs(cs map[string]*Component) (convert.SGMConfigs, error) {
	var cfg convert.SGMConfigs
	var err error
	if cfg.UNet, err = unet.LoadConfig(cs[convert.UNet].ConfigPath); err != nil {
		return cfg, fmt.Errorf("loader: %w", err)
	}
	if cfg.VAE, err = vae.ReadConfig(cs[convert.VAE].ConfigPath); err != nil {
		return cfg, fmt.Errorf("loader: %w", err)
	}
	if cfg.TextEncoder, err = clip.ReadTextConfig(cs[convert.TextEncoder].Dir); err != nil {
		return cfg, fmt.Errorf("loader: %w", err)
	}
	if cfg.TextEncoder2, err = clip.ReadTextConfig(cs[convert.TextEncoder2].Dir); err != nil {
		return cfg, fmt.Errorf("loader: %w", err)
	}
	return cfg, nil
}

// splitCheckpoint maps the checkpoint once, to report what it holds.
func splitCheckpoint(path string, cfg convert.SGMConfigs) (*convert.SGMSplit, error) {
	src, err := weights.Open(path)
	if err != nil {
		return nil, fmt.Errorf("loader: %w", err)
	}
	defer src.Close()
	split, err := convert.SGMComponents(src, cfg)
	if err != nil {
		return nil, fmt.Errorf("loader: %s: %w", path, err)
	}
	return split, nil
}

// openSingleFileComponent opens the checkpoint anew for each Source, so
// each source owns its file and closing one never invalidates another.
func openSingleFileComponent(path string, cfg convert.SGMConfigs, name string) func() (weights.Source, error) {
	return func() (weights.Source, error) {
		src, err := weights.Open(path)
		if err != nil {
			return nil, fmt.Errorf("loader: %s: %w", name, err)
		}
		split, err := convert.SGMComponents(src, cfg)
		if err != nil || split.Components[name] == nil {
			src.Close()
			if err == nil {
				err = fmt.Errorf("no tensors under %q", convert.SGMPrefixes[name])
			}
			return nil, fmt.Errorf("loader: %s: %s: %w", path, name, err)
		}
		return &ownedView{View: split.Components[name], file: src}, nil
	}
}

// ownedView is a component's view that closes the checkpoint it reads.
type ownedView struct {
	*convert.View
	file weights.Source
}

func (v *ownedView) Close() error { return v.file.Close() }

// localCheckpoint returns a local path for checkpoint: the file itself, or
// the hub cache's copy of a Hub URL (downloaded if needed).
func localCheckpoint(ctx context.Context, checkpoint string, opts hub.Options) (string, error) {
	if !strings.HasPrefix(checkpoint, "https://") && !strings.HasPrefix(checkpoint, "http://") {
		st, err := os.Stat(checkpoint)
		if err != nil {
			return "", fmt.Errorf("loader: single-file checkpoint: %w", err)
		}
		if st.IsDir() {
			return "", fmt.Errorf("loader: %s is a folder; a diffusers folder is read with Resolve", checkpoint)
		}
		return checkpoint, nil
	}
	repo, revision, file, err := parseHubURL(checkpoint)
	if err != nil {
		return "", err
	}
	opts.Revision = revision
	path, err := hub.Download(ctx, repo, file, opts)
	if err != nil {
		return "", fmt.Errorf("loader: single-file checkpoint: %w", err)
	}
	return path, nil
}

// parseHubURL splits a file URL of the Hub,
// {endpoint}/<org>/<name>/{blob,resolve}/<revision>/<path>, as diffusers'
// _extract_repo_id_and_weights_name does. The host is not checked: the
// file is fetched from Options.Hub's endpoint.
func parseHubURL(raw string) (repo, revision, file string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", "", fmt.Errorf("loader: %q: %w", raw, err)
	}
	parts := strings.SplitN(strings.Trim(u.Path, "/"), "/", 5)
	if len(parts) != 5 || (parts[2] != "blob" && parts[2] != "resolve") || parts[4] == "" {
		return "", "", "", fmt.Errorf("loader: %q is not a Hub file URL (https://huggingface.co/<org>/<name>/blob/<revision>/<file>)", raw)
	}
	return parts[0] + "/" + parts[1], parts[3], parts[4], nil
}

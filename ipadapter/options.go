package ipadapter

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/hub"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/loader"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
	"github.com/seed11f6bdef/gonb-ipadapter/xla"
)

// Options are FromPretrained's and FromSingleFile's keyword arguments.
// The zero value loads a pipeline as diffusers does by default, on the
// backend package xla chooses.
type Options struct {
	// Backend runs every model; nil means xla.Backend() (CUDA when
	// available, else the pure-Go backend).
	Backend compute.Backend
	// DType is the compute dtype of the UNet and the encoders;
	// dtypes.InvalidDType means xla.ComputeDType(Backend) (float16 on CUDA,
	// float32 on the CPU). The VAE runs in float32 whenever its config
	// says force_upcast, as diffusers decodes.
	DType dtypes.DType
	// Variant selects weight files like diffusers' variant= ("fp16":
	// unet/diffusion_pytorch_model.fp16.safetensors), falling back to the
	// plain files for components that have no such variant.
	Variant string
	// Hub says how Hub repositories are resolved: revision, token,
	// offline mode, cache folder. Local folders ignore it.
	Hub hub.Options

	// VAE replaces the pipeline's VAE (diffusers' vae= argument), e.g.
	// {Repo: "madebyollin/sdxl-vae-fp16-fix"}.
	VAE ComponentRef
	// ImageEncoder gives the pipeline an image encoder (diffusers'
	// image_encoder= argument), e.g. {Repo: "h94/IP-Adapter", Subfolder:
	// "models/image_encoder"}, the ViT-H/14 encoder the _vit-h SDXL
	// adapters need. LoadIPAdapter then keeps it.
	ImageEncoder ComponentRef

	// Config is, for FromSingleFile, the diffusers pipeline (Hub repository
	// or local folder) whose configs and tokenizers describe the
	// checkpoint; "" means stabilityai/stable-diffusion-xl-base-1.0, as in
	// diffusers. Only its small files are read; FromPretrained ignores it.
	Config string
}

// ComponentRef names a model component stored on its own: a Hub
// repository or local folder, and the folder inside it that holds
// config.json and the weights.
type ComponentRef struct {
	Repo      string
	Subfolder string
	// Revision of Repo; "" means "main". The other hub settings (cache,
	// token, offline mode) are the pipeline's.
	Revision string
}

// IsZero reports whether no component was named.
func (c ComponentRef) IsZero() bool { return c.Repo == "" }

// String names the component as in messages and metadata.
func (c ComponentRef) String() string { return joinRepoPath(c.Repo, c.Subfolder) }

// DefaultSingleFileConfig is the diffusers repository FromSingleFile takes
// configs and tokenizers from when Options.Config is empty.
const DefaultSingleFileConfig = "stabilityai/stable-diffusion-xl-base-1.0"

// resolved are the Options with every default filled in.
type resolved struct {
	Options
	backend compute.Backend
	dtype   dtypes.DType
}

// resolve fills in the backend and the compute dtype.
func (o Options) resolve() (resolved, error) {
	r := resolved{Options: o, backend: o.Backend, dtype: o.DType}
	if r.backend == nil {
		b, err := xla.Backend()
		if err != nil {
			return r, fmt.Errorf("choosing a backend: %w", err)
		}
		r.backend = b
	}
	if r.dtype == dtypes.InvalidDType {
		r.dtype = xla.ComputeDType(r.backend)
	}
	if !r.dtype.IsFloat() {
		return r, fmt.Errorf("compute dtype %s is not a float type", r.dtype)
	}
	return r, nil
}

// modelOptions are the graph options of the UNet and the encoders: the
// backend's defaults (im2col convolutions on the pure-Go backend) in the
// compute dtype.
func (r resolved) modelOptions() nn.Options {
	o := unet.DefaultOptions(r.backend)
	o.DType = r.dtype
	return o
}

// hubFor returns the hub options for another repository than the
// pipeline's: same cache, token and offline mode, its own revision.
func (r resolved) hubFor(revision string) hub.Options {
	h := r.Hub
	h.Revision = revision
	return h
}

// loaderOptions are the Options as package loader takes them.
func (r resolved) loaderOptions() loader.Options {
	lo := loader.Options{Hub: r.Hub, Variant: r.Variant}
	for name, ref := range map[string]ComponentRef{"vae": r.VAE, "image_encoder": r.ImageEncoder} {
		if ref.IsZero() {
			continue
		}
		if lo.Replace == nil {
			lo.Replace = map[string]loader.Location{}
		}
		lo.Replace[name] = r.location(ref)
	}
	return lo
}

// location is where a component named by ref is, with the options' variant.
func (r resolved) location(ref ComponentRef) loader.Location {
	return loader.Location{Repo: ref.Repo, Subfolder: ref.Subfolder, Revision: ref.Revision, Variant: r.Variant}
}

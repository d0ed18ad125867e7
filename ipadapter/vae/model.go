package vae

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/errtext"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/convert/legacy"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/hostfloat"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// WeightFiles are the checkpoint names Load looks for in a component
// folder, in order: diffusers' float32 file, then the fp16 variant.
var WeightFiles = []string{"diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.fp16.safetensors"}

// Model is a loaded AutoencoderKL ready to run: weights on a backend and
// the decode/encode graphs, compiled on first use for each input shape.
type Model struct {
	Config Config
	Arch   *AutoencoderKL
	opts   nn.Options
	store  *model.Store

	decode, decodeLatents, encode *nn.Exec
}

// DefaultOptions picks nn.DefaultOptions(backend) with the dtype diffusers
// runs the VAE in next to a pipeline computing in pipelineDType: float32
// when the config asks for force_upcast (the SDXL VAE overflows in
// float16) or when pipelineDType is not set, else pipelineDType (e.g. the
// fp16-fix VAE, whose config has force_upcast false). On the pure-Go
// backend convolutions use im2col (nn.DefaultOptions).
func DefaultOptions(backend compute.Backend, cfg Config, pipelineDType dtypes.DType) nn.Options {
	o := nn.DefaultOptions(backend)
	if !cfg.ForceUpcast && pipelineDType != dtypes.InvalidDType {
		o.DType = pipelineDType
	}
	return o
}

// Load reads a diffusers "vae" folder: config.json and the first of
// WeightFiles present. opts.DType is the dtype the VAE computes in (unset:
// float32); see DefaultOptions.
func Load(dir string, backend compute.Backend, opts nn.Options) (*Model, error) {
	cfg, err := ReadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, err
	}
	src, path, err := weights.OpenFirstSafetensors(dir, WeightFiles)
	if err != nil {
		return nil, fmt.Errorf("vae: %w", err)
	}
	// The store holds copies on the backend, so the file can be closed.
	defer src.Close()
	m, err := New(cfg, src, backend, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// New builds the model of cfg with the weights of src. Legacy attention
// names (query, key, value, proj_attn) are accepted. Every checkpoint
// tensor must be used: a tensor the config does not explain means config
// and weights disagree.
func New(cfg Config, src weights.Source, backend compute.Backend, opts nn.Options) (*Model, error) {
	if backend == nil {
		return nil, errors.New("vae: no backend")
	}
	arch, err := NewAutoencoderKL(cfg)
	if err != nil {
		return nil, err
	}
	if opts.DType == dtypes.InvalidDType {
		opts.DType = dtypes.Float32
	}
	if !opts.DType.IsFloat() {
		return nil, fmt.Errorf("vae: compute dtype %s is not a float type", opts.DType)
	}
	store, unused, err := nn.Load(arch.Specs(), legacy.VAEAttention(src), backend, opts.DType)
	if err != nil {
		return nil, fmt.Errorf("vae: %w", err)
	}
	if len(unused) > 0 {
		return nil, fmt.Errorf("vae: the checkpoint has %d tensors this config does not use (%v): config and weights disagree",
			len(unused), errtext.AbbreviateList(unused, 5))
	}
	m := &Model{Config: cfg, Arch: arch, opts: opts, store: store}
	one := func(name string, f func(c nn.Ctx, x *graph.Node) []*graph.Node) (*nn.Exec, error) {
		return nn.NewExec(name, backend, store, opts, func(c nn.Ctx, in []*graph.Node) []*graph.Node { return f(c, in[0]) })
	}
	if m.decode, err = one("vae.decode", func(c nn.Ctx, z *graph.Node) []*graph.Node {
		return []*graph.Node{arch.DecodeGraph(c, z)}
	}); err != nil {
		return nil, err
	}
	if m.decodeLatents, err = one("vae.decode_latents", func(c nn.Ctx, z *graph.Node) []*graph.Node {
		return []*graph.Node{arch.DecodeGraph(c, cfg.FromUNetGraph(z, c.DType()))}
	}); err != nil {
		return nil, err
	}
	if m.encode, err = one("vae.encode", func(c nn.Ctx, x *graph.Node) []*graph.Node {
		mean, logVar, std := arch.EncodeGraph(c, x)
		return []*graph.Node{mean, logVar, std}
	}); err != nil {
		return nil, err
	}
	return m, nil
}

// DType is the dtype the model computes in (and returns).
func (m *Model) DType() dtypes.DType { return m.opts.DType }

// Decode runs vae.decode(z).sample on latents already in the VAE's space
// (z [B, latent_channels, h, w], any float dtype), returning the image
// tensor [B, out_channels, 8h, 8w] in the model's dtype, nominally in
// [−1, 1] and not clamped.
func (m *Model) Decode(z *tensors.Tensor) (*tensors.Tensor, error) {
	return m.runDecode(m.decode, z)
}

// DecodeLatents decodes latents from the UNet's space, as the SDXL
// pipeline does after its loop: first latents / scaling_factor (see
// Config.FromUNetGraph), then Decode.
func (m *Model) DecodeLatents(latents *tensors.Tensor) (*tensors.Tensor, error) {
	return m.runDecode(m.decodeLatents, latents)
}

func (m *Model) runDecode(e *nn.Exec, z *tensors.Tensor) (*tensors.Tensor, error) {
	if z == nil {
		return nil, errors.New("vae: latents is nil")
	}
	if err := checkInput("latents", z.Shape(), m.Config.LatentChannels, 1); err != nil {
		return nil, err
	}
	out, err := e.Call(z)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// Encode runs vae.encode(x).latent_dist for images x [B, in_channels, H, W]
// in [−1, 1] (see Preprocess), H and W multiples of Config.ScaleFactor().
func (m *Model) Encode(x *tensors.Tensor) (*LatentDist, error) {
	if x == nil {
		return nil, errors.New("vae: image is nil")
	}
	if err := checkInput("image", x.Shape(), m.Config.InChannels, m.Config.ScaleFactor()); err != nil {
		return nil, err
	}
	out, err := m.encode.Call(x)
	if err != nil {
		return nil, err
	}
	d := &LatentDist{Shape: out[0].Shape().Dimensions}
	for i, dst := range []*[]float32{&d.Mean, &d.LogVar, &d.Std} {
		if *dst, err = hostfloat.Floats(out[i]); err != nil {
			return nil, fmt.Errorf("vae.encode: %w", err)
		}
	}
	return d, nil
}

// Finalize frees the compiled graphs and the weights.
func (m *Model) Finalize() {
	for _, e := range []*nn.Exec{m.decode, m.decodeLatents, m.encode} {
		e.Finalize()
	}
	m.store = nil
}

// Precompile compiles the graphs of Decode (for shape decode), DecodeLatents
// (decodeLatents) and Encode (encode) ahead of their first call; a
// zero-rank shape skips that graph. Inputs of other shapes or dtypes
// compile again when first seen.
func (m *Model) Precompile(decode, decodeLatents, encode shapes.Shape) error {
	for _, p := range []struct {
		e        *nn.Exec
		s        shapes.Shape
		what     string
		channels int
		multiple int
	}{
		{m.decode, decode, "latents", m.Config.LatentChannels, 1},
		{m.decodeLatents, decodeLatents, "latents", m.Config.LatentChannels, 1},
		{m.encode, encode, "image", m.Config.InChannels, m.Config.ScaleFactor()},
	} {
		if p.s.Rank() == 0 {
			continue
		}
		if err := checkInput(p.what, p.s, p.channels, p.multiple); err != nil {
			return err
		}
		if err := p.e.Compile(p.s); err != nil {
			return err
		}
	}
	return nil
}

// checkInput validates a [B, channels, H, W] float shape whose H and W are
// multiples of multiple.
func checkInput(what string, s shapes.Shape, channels, multiple int) error {
	if !s.DType.IsFloat() {
		return fmt.Errorf("vae: %s has dtype %s, a float tensor is needed", what, s.DType)
	}
	if s.Rank() != 4 {
		return fmt.Errorf("vae: %s must be [B, %d, H, W], got shape %v", what, channels, s.Dimensions)
	}
	d := s.Dimensions
	if d[1] != channels {
		return fmt.Errorf("vae: %s has %d channels, the model needs %d (shape %v)", what, d[1], channels, d)
	}
	if d[0] <= 0 || d[2] <= 0 || d[3] <= 0 {
		return fmt.Errorf("vae: %s is empty (shape %v)", what, d)
	}
	if d[2]%multiple != 0 || d[3]%multiple != 0 {
		return fmt.Errorf("vae: %s is %d×%d (H×W); both must be multiples of %d (resize it first, as diffusers' VaeImageProcessor does)",
			what, d[2], d[3], multiple)
	}
	return nil
}

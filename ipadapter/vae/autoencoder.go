package vae

import (
	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// AutoencoderKL is the model's structure, built from a Config: its
// parameter list (Specs, with diffusers' state-dict names) and the
// functions that build its graphs. It holds no weights; Model does.
type AutoencoderKL struct {
	Config                   Config
	encoder                  encoder
	decoder                  decoder
	quantConv, postQuantConv *nn.Conv2d
	specs                    []nn.Spec
}

// NewAutoencoderKL validates cfg and constructs the model's layers.
func NewAutoencoderKL(cfg Config) (*AutoencoderKL, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := nn.NewRegistry()
	m := &AutoencoderKL{Config: cfg}
	m.encoder = newEncoder(r.In("encoder"), cfg)
	m.decoder = newDecoder(r.In("decoder"), cfg)
	if cfg.UseQuantConv {
		qc := r.Conv2d("quant_conv", 2*cfg.LatentChannels, 2*cfg.LatentChannels, 1, 1, 0, true)
		m.quantConv = &qc
	}
	if cfg.UsePostQuantConv {
		pqc := r.Conv2d("post_quant_conv", cfg.LatentChannels, cfg.LatentChannels, 1, 1, 0, true)
		m.postQuantConv = &pqc
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	m.specs = r.Specs()
	return m, nil
}

// Specs lists every parameter with its checkpoint name and shape.
func (m *AutoencoderKL) Specs() []nn.Spec { return append([]nn.Spec(nil), m.specs...) }

// DecodeGraph builds vae.decode(z).sample: z [B, latent, h, w] in the
// VAE's latent space (already unscaled) → [B, out, f·h, f·w] in the
// compute dtype, nominally in [−1, 1] and not clamped.
func (m *AutoencoderKL) DecodeGraph(c nn.Ctx, z *graph.Node) *graph.Node {
	z = graph.ConvertDType(z, c.DType())
	if m.postQuantConv != nil {
		z = m.postQuantConv.Apply(c, z)
	}
	return m.decoder.Apply(c, z)
}

// EncodeGraph builds vae.encode(x).latent_dist for x [B, in, H, W] in
// [−1, 1], returning the diagonal Gaussian's mean, clamped log-variance and
// standard deviation, each [B, latent, H/f, W/f].
func (m *AutoencoderKL) EncodeGraph(c nn.Ctx, x *graph.Node) (mean, logVar, std *graph.Node) {
	h := m.encoder.Apply(c, graph.ConvertDType(x, c.DType()))
	if m.quantConv != nil {
		h = m.quantConv.Apply(c, h)
	}
	return diagonalGaussian(h)
}

// diagonalGaussian is DiagonalGaussianDistribution(parameters): the first
// half of the channels is the mean, the second the log-variance, clamped to
// [−30, 20]; std = exp(0.5·logvar).
func diagonalGaussian(moments *graph.Node) (mean, logVar, std *graph.Node) {
	halves := graph.Split(moments, 1, 2)
	mean, logVar = halves[0], graph.ClipScalar(halves[1], -30, 20)
	return mean, logVar, graph.Exp(graph.MulScalar(logVar, 0.5))
}

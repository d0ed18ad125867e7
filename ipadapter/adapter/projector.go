package adapter

import (
	"fmt"
	"slices"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// Projector runs the image projections of the loaded adapters (diffusers'
// MultiIPAdapterImageProjection, the UNet's encoder_hid_proj) in one
// compiled graph: image embeddings in, image tokens out.
//
// diffusers runs this projection inside every UNet call. The embeddings do
// not change across denoising steps, so here it runs once per request and
// the tokens enter the UNet graph as inputs: the same numbers, without
// re-projecting at every step (a Plus Resampler costs about as much as
// four transformer layers over 273 tokens per image).
type Projector struct {
	projs []Projection
	exec  *nn.Exec
}

// NewProjector loads the image_proj weights of files (adapter i = files[i],
// its weights under diffusers' encoder_hid_proj.image_projection_layers.i)
// onto backend. The zero Options mean nn.DefaultOptions(backend).
func NewProjector(files []*File, backend compute.Backend, opts nn.Options) (*Projector, error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("IP-Adapter projector: no adapters given")
	}
	if opts == (nn.Options{}) {
		opts = nn.DefaultOptions(backend)
	}
	p := &Projector{}
	store := model.NewStore()
	for a, f := range files {
		r := nn.NewRegistry()
		proj, err := NewProjection(f.Projection, r.In(projectionPrefix(a)))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		src, err := f.ProjectionSource(projectionPrefix(a))
		if err != nil {
			return nil, err
		}
		if err := nn.AddToStore(store, r.Specs(), src, backend, opts.DType); err != nil {
			return nil, fmt.Errorf("%s: loading image_proj: %w", f.Name, err)
		}
		p.projs = append(p.projs, proj)
	}
	exec, err := nn.NewExec("IP-Adapter image projection", backend, store, opts, p.build)
	if err != nil {
		return nil, err
	}
	p.exec = exec
	return p, nil
}

// build projects each adapter's [B, N, …] embeddings as B·N rows and
// restores the [B, N, T, D] layout (MultiIPAdapterImageProjection.forward).
func (p *Projector) build(c nn.Ctx, inputs []*graph.Node) []*graph.Node {
	out := make([]*graph.Node, len(inputs))
	for a, x := range inputs {
		d := x.Shape().Dimensions
		rows := graph.Reshape(graph.ConvertDType(x, c.DType()), append([]int{d[0] * d[1]}, d[2:]...)...)
		y := p.projs[a].Apply(c, rows)
		yd := y.Shape().Dimensions
		out[a] = graph.Reshape(y, d[0], d[1], yd[1], yd[2])
	}
	return out
}

// Project maps one embeddings tensor per adapter, [B, N, P] for plain
// adapters or [B, N, S, E] for Plus/FullFace (B batch rows, N images), to
// image tokens [B, N, T, CrossDim] in the compute dtype. It compiles once
// per combination of input shapes.
func (p *Projector) Project(embeds ...*tensors.Tensor) ([]*tensors.Tensor, error) {
	if len(embeds) != len(p.projs) {
		return nil, fmt.Errorf("image_embeds must have the same length as image_projection_layers, got %d and %d (one embeddings tensor per loaded IP-Adapter)", len(embeds), len(p.projs))
	}
	inputs := make([]any, len(embeds))
	for a, e := range embeds {
		if e == nil {
			return nil, fmt.Errorf("image embeddings of IP-Adapter %d are missing", a)
		}
		if err := checkEmbedShape(p.projs[a].Config(), e.Shape().Dimensions, 2, fmt.Sprintf("image_embeds[%d]", a)); err != nil {
			return nil, err
		}
		inputs[a] = e
	}
	return p.exec.Call(inputs...)
}

// checkEmbedShape validates embeddings with `lead` leading axes ([B, N]
// for the UNet's image_embeds, [N] for one half) against a projection.
func checkEmbedShape(cfg ProjectionConfig, dims []int, lead int, what string) error {
	rank := lead + cfg.Kind.embedRank()
	want := "[batch, images, " + map[bool]string{false: "", true: "tokens, "}[cfg.Kind.UsesHiddenStates()] + fmt.Sprint(cfg.EmbedDim) + "]"
	if lead == 1 {
		want = "[images, " + want[len("[batch, images, "):]
	}
	if len(dims) != rank || slices.Contains(dims, 0) || dims[rank-1] != cfg.EmbedDim {
		return fmt.Errorf("%s has shape %v; a %s adapter takes the image encoder's %s, %s", what, dims, cfg.Kind, cfg.Kind.EncoderOutput(), want)
	}
	return nil
}

// Compilations is the number of graphs compiled so far.
func (p *Projector) Compilations() int { return p.exec.Compilations() }

// Close frees the compiled graphs.
func (p *Projector) Close() { p.exec.Finalize() }

package clip

import (
	"fmt"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/support/exceptions"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// VisionModel is CLIPVisionModelWithProjection (or CLIPVisionModel without
// Config.WithProjection) constructed from its config. Parameter names are
// transformers' ("vision_model.…", "visual_projection.weight"), including
// the misspelt "pre_layrnorm".
type VisionModel struct {
	Config            VisionConfig
	PatchEmbedding    nn.Conv2d // kernel = stride = patch_size, no bias
	ClassEmbedding    nn.Param  // [D]
	PositionEmbedding nn.Embedding
	PreLayerNorm      nn.LayerNorm
	Encoder           Encoder
	PostLayerNorm     nn.LayerNorm
	Projection        nn.Linear // visual_projection; set only with Config.WithProjection
	specs             []nn.Spec
}

// VisionNodes are the graph values VisionModel.Apply built, per
// VisionOutputs; unselected ones are nil.
type VisionNodes struct {
	HiddenStates    []*graph.Node // in the order of VisionOutputs.HiddenStates, [B, 1+patches, D]
	LastHiddenState *graph.Node   // [B, 1+patches, D]
	Pooled          *graph.Node   // [B, D]
	ImageEmbeds     *graph.Node   // [B, projection_dim]
}

// NewVisionModel constructs the model described by cfg.
func NewVisionModel(cfg VisionConfig) (*VisionModel, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := cfg.HiddenSize
	r := nn.NewRegistry()
	vr := r.In("vision_model")
	er := vr.In("embeddings")
	m := &VisionModel{Config: cfg}
	m.ClassEmbedding = er.Param("class_embedding", d)
	m.PatchEmbedding = er.Conv2d("patch_embedding", cfg.NumChannels, d, cfg.PatchSize, cfg.PatchSize, 0, false)
	m.PositionEmbedding = er.Embedding("position_embedding", cfg.NumPositions(), d)
	m.PreLayerNorm = vr.LayerNorm("pre_layrnorm", d, cfg.LayerNormEps)
	var err error
	m.Encoder, err = newEncoder(vr.In("encoder"), encoderDims{
		hidden: d, intermediate: cfg.IntermediateSize, heads: cfg.NumAttentionHeads,
		layers: cfg.NumHiddenLayers, act: cfg.HiddenAct, eps: cfg.LayerNormEps,
	})
	if err != nil {
		return nil, fmt.Errorf("CLIP vision model: %w", err)
	}
	m.PostLayerNorm = vr.LayerNorm("post_layernorm", d, cfg.LayerNormEps)
	if cfg.WithProjection {
		m.Projection = r.Linear("visual_projection", d, cfg.ProjectionDim, false)
	}
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("CLIP vision model: %w", err)
	}
	m.specs = r.Specs()
	return m, nil
}

// Specs lists the model's parameters (the checkpoint's names and shapes).
func (m *VisionModel) Specs() []nn.Spec { return append([]nn.Spec(nil), m.specs...) }

// InputDims is the pixel_values shape the model takes for a batch.
func (m *VisionModel) InputDims(batch int) []int {
	return []int{batch, m.Config.NumChannels, m.Config.ImageSize, m.Config.ImageSize}
}

func (m *VisionModel) checkOutputs(want VisionOutputs) (resolved []int, depth int, err error) {
	if want.empty() {
		return nil, 0, fmt.Errorf("no image encoder output selected")
	}
	if want.ImageEmbeds && !m.Config.WithProjection {
		return nil, 0, fmt.Errorf("image_embeds needs %s, this model is %s", ArchVisionModelWithProjection, ArchVisionModel)
	}
	resolved, depth, err = resolveHiddenStates(want.HiddenStates, m.Config.NumHiddenLayers)
	if err != nil {
		return nil, 0, err
	}
	if want.LastHiddenState || want.Pooled || want.ImageEmbeds {
		depth = m.Config.NumHiddenLayers
	}
	return resolved, depth, nil
}

// Apply builds the selected outputs for pixel_values [B, C, S, S] with
// S = image_size (no position-embedding interpolation).
func (m *VisionModel) Apply(c nn.Ctx, pixels *graph.Node, want VisionOutputs) VisionNodes {
	resolved, depth, err := m.checkOutputs(want)
	if err != nil {
		exceptions.Panicf("%v", err)
	}
	dims := pixels.Shape().Dimensions
	wantDims := m.InputDims(1)
	if len(dims) != 4 || dims[1] != wantDims[1] || dims[2] != wantDims[2] || dims[3] != wantDims[3] {
		exceptions.Panicf("CLIP vision model: pixel_values must be [batch, %d, %d, %d], got %v", wantDims[1], wantDims[2], wantDims[3], dims)
	}
	if pixels.DType() != c.DType() {
		pixels = graph.ConvertDType(pixels, c.DType())
	}

	states := m.Encoder.Apply(c, m.PreLayerNorm.Apply(c, m.embed(c, pixels)), nil, depth)
	var out VisionNodes
	for _, j := range resolved {
		out.HiddenStates = append(out.HiddenStates, states[j])
	}
	last := states[len(states)-1]
	if want.LastHiddenState {
		out.LastHiddenState = last
	}
	if want.Pooled || want.ImageEmbeds {
		cls := graph.Reshape(graph.Slice(last, graph.AxisRange(), graph.AxisRange(0, 1)), dims[0], m.Config.HiddenSize)
		pooled := m.PostLayerNorm.Apply(c, cls)
		if want.Pooled {
			out.Pooled = pooled
		}
		if want.ImageEmbeds {
			out.ImageEmbeds = m.Projection.Apply(c, pooled)
		}
	}
	return out
}

// embed is CLIPVisionEmbeddings: [class token; patches] + positions.
func (m *VisionModel) embed(c nn.Ctx, pixels *graph.Node) *graph.Node {
	b, d, n := pixels.Shape().Dimensions[0], m.Config.HiddenSize, m.Config.NumPositions()
	patches := patchEmbed(c, m.PatchEmbedding, pixels) // [B, n-1, D]
	cls := graph.BroadcastToDims(graph.Reshape(m.ClassEmbedding.Value(c), 1, 1, d), b, 1, d)
	x := graph.Concatenate([]*graph.Node{cls, patches}, 1)
	return graph.Add(x, graph.Reshape(c.W(m.PositionEmbedding.Name+".weight"), 1, n, d))
}

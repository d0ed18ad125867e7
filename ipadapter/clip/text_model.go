package clip

import (
	"fmt"
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/support/exceptions"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// TextModel is CLIPTextModel, or CLIPTextModelWithProjection when
// Config.WithProjection, constructed from its config. Parameter names are
// transformers' ("text_model.…", "text_projection.weight").
type TextModel struct {
	Config            TextConfig
	TokenEmbedding    nn.Embedding
	PositionEmbedding nn.Embedding
	Encoder           Encoder
	FinalLayerNorm    nn.LayerNorm
	Projection        nn.Linear // text_projection; set only with Config.WithProjection
	specs             []nn.Spec
}

// TextNodes are the graph values TextModel.Apply built, per TextOutputs;
// unselected ones are nil.
type TextNodes struct {
	HiddenStates    []*graph.Node // in the order of TextOutputs.HiddenStates
	LastHiddenState *graph.Node   // [B, S, D]
	Pooled          *graph.Node   // [B, D]
	TextEmbeds      *graph.Node   // [B, projection_dim]
}

// NewTextModel constructs the model described by cfg.
func NewTextModel(cfg TextConfig) (*TextModel, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := nn.NewRegistry()
	tr := r.In("text_model")
	er := tr.In("embeddings")
	m := &TextModel{Config: cfg}
	m.TokenEmbedding = er.Embedding("token_embedding", cfg.VocabSize, cfg.HiddenSize)
	m.PositionEmbedding = er.Embedding("position_embedding", cfg.MaxPositionEmbeddings, cfg.HiddenSize)
	var err error
	m.Encoder, err = newEncoder(tr.In("encoder"), encoderDims{
		hidden: cfg.HiddenSize, intermediate: cfg.IntermediateSize, heads: cfg.NumAttentionHeads,
		layers: cfg.NumHiddenLayers, act: cfg.HiddenAct, eps: cfg.LayerNormEps,
	})
	if err != nil {
		return nil, fmt.Errorf("CLIP text model: %w", err)
	}
	m.FinalLayerNorm = tr.LayerNorm("final_layer_norm", cfg.HiddenSize, cfg.LayerNormEps)
	if cfg.WithProjection {
		m.Projection = r.Linear("text_projection", cfg.HiddenSize, cfg.ProjectionDim, false)
	}
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("CLIP text model: %w", err)
	}
	m.specs = r.Specs()
	return m, nil
}

// Specs lists the model's parameters (the checkpoint's names and shapes).
func (m *TextModel) Specs() []nn.Spec { return append([]nn.Spec(nil), m.specs...) }

// checkOutputs validates a selection and resolves its hidden-state
// indices, returning how many layers must be built.
func (m *TextModel) checkOutputs(want TextOutputs) (resolved []int, depth int, err error) {
	if want.empty() {
		return nil, 0, fmt.Errorf("no text encoder output selected")
	}
	if want.TextEmbeds && !m.Config.WithProjection {
		return nil, 0, fmt.Errorf("text_embeds needs %s, this model is %s", ArchTextModelWithProjection, ArchTextModel)
	}
	resolved, depth, err = resolveHiddenStates(want.HiddenStates, m.Config.NumHiddenLayers)
	if err != nil {
		return nil, 0, err
	}
	if want.LastHiddenState || want.Pooled || want.TextEmbeds {
		depth = m.Config.NumHiddenLayers
	}
	return resolved, depth, nil
}

// Apply builds the selected outputs for ids [B, S] (integer token ids,
// S ≤ max_position_embeddings). Nothing is attended away but the future:
// SDXL passes no attention mask, padding tokens are ordinary tokens.
func (m *TextModel) Apply(c nn.Ctx, ids *graph.Node, want TextOutputs) TextNodes {
	resolved, depth, err := m.checkOutputs(want)
	if err != nil {
		exceptions.Panicf("%v", err)
	}
	if ids.Rank() != 2 || !ids.DType().IsInt() {
		exceptions.Panicf("CLIP text model: input ids must be integers [batch, seq], got %s", ids.Shape())
	}
	seq := ids.Shape().Dimensions[1]
	if seq > m.Config.MaxPositionEmbeddings {
		exceptions.Panicf("CLIP text model: sequence length %d exceeds max_position_embeddings %d", seq, m.Config.MaxPositionEmbeddings)
	}

	h := m.embed(c, ids)
	states := m.Encoder.Apply(c, h, causalBias(c.Graph(), seq), depth)
	var out TextNodes
	for _, j := range resolved {
		out.HiddenStates = append(out.HiddenStates, states[j])
	}
	if !(want.LastHiddenState || want.Pooled || want.TextEmbeds) {
		return out
	}
	last := m.FinalLayerNorm.Apply(c, states[len(states)-1])
	if want.LastHiddenState {
		out.LastHiddenState = last
	}
	if want.Pooled || want.TextEmbeds {
		pooled := gatherRows(last, m.poolingPositions(ids))
		if want.Pooled {
			out.Pooled = pooled
		}
		if want.TextEmbeds {
			out.TextEmbeds = m.Projection.Apply(c, pooled)
		}
	}
	return out
}

// embed is CLIPTextEmbeddings: token embedding + position embedding of
// positions 0…S-1.
func (m *TextModel) embed(c nn.Ctx, ids *graph.Node) *graph.Node {
	seq := ids.Shape().Dimensions[1]
	tok := m.TokenEmbedding.Apply(c, ids)
	pos := graph.Slice(c.W(m.PositionEmbedding.Name+".weight"), graph.AxisRange(0, seq))
	return graph.Add(tok, graph.Reshape(pos, 1, seq, m.Config.HiddenSize))
}

// causalBias is the additive mask [1, 1, S, S] transformers builds for
// CLIP text: 0 where key j ≤ query i, the most negative finite float32
// elsewhere (float32 because attention scores are softmaxed in float32).
func causalBias(g *graph.Graph, seq int) *graph.Node {
	shape := shapes.Make(dtypes.Int32, seq, seq)
	future := graph.GreaterThan(graph.Iota(g, shape, 1), graph.Iota(g, shape, 0))
	bias := graph.Where(future, graph.Scalar(g, dtypes.Float32, -math.MaxFloat32), graph.ScalarZero(g, dtypes.Float32))
	return graph.Reshape(bias, 1, 1, seq, seq)
}

// poolingPositions is, per row of ids, the token whose final state is the
// pooled output (see TextConfig.PoolingPosition), as int32 [B].
func (m *TextModel) poolingPositions(ids *graph.Node) *graph.Node {
	ids = graph.ConvertDType(ids, dtypes.Int32)
	if m.Config.EOSTokenID == legacyEOSTokenID {
		return graph.ArgMax(ids, 1, dtypes.Int32) // ties → first index, as torch.argmax
	}
	isEOS := graph.Equal(ids, graph.Scalar(ids.Graph(), dtypes.Int32, float64(m.Config.EOSTokenID)))
	return graph.ArgMax(graph.ConvertDType(isEOS, dtypes.Int32), 1, dtypes.Int32)
}

// gatherRows picks x[b, pos[b], :] from x [B, S, D] with pos int32 [B].
func gatherRows(x, pos *graph.Node) *graph.Node {
	b := x.Shape().Dimensions[0]
	batch := graph.Iota(x.Graph(), shapes.Make(dtypes.Int32, b), 0)
	return graph.Gather(x, graph.Stack([]*graph.Node{batch, pos}, -1)) // [B, D]
}

// PoolingPosition is the token position whose final state transformers
// pools for one row of ids. With the legacy eos_token_id 2 (SDXL's
// configs) it is the first position of the largest id — the real
// end-of-text with CLIP vocabularies, whose largest id 49407 is
// <|endoftext|>. Otherwise it is the first position holding eos_token_id,
// or 0 when there is none (argmax of an all-false mask).
func (c TextConfig) PoolingPosition(ids []int) int {
	best := 0
	for i, id := range ids {
		if c.EOSTokenID == legacyEOSTokenID {
			if id > ids[best] {
				best = i
			}
		} else if id == c.EOSTokenID {
			return i
		}
	}
	return best
}

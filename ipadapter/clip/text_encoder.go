package clip

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// TextEncoder is a loaded CLIP text model, ready to encode token ids.
// It is safe for concurrent use.
type TextEncoder struct {
	Model *TextModel
	execs *execCache
}

// TextResult holds the outputs a TextOutputs selection asked for, as host
// tensors in the compute dtype; unselected ones are nil.
type TextResult struct {
	HiddenStates    []*tensors.Tensor // in the order of TextOutputs.HiddenStates, [B, S, D]
	LastHiddenState *tensors.Tensor   // [B, S, D]
	Pooled          *tensors.Tensor   // [B, D]
	TextEmbeds      *tensors.Tensor   // [B, projection_dim]
}

// LoadTextEncoder loads a text encoder folder (config.json and
// model.safetensors, as in SDXL's text_encoder/ and text_encoder_2/). The
// zero Options mean nn.DefaultOptions(backend).
func LoadTextEncoder(dir string, backend compute.Backend, opts nn.Options) (*TextEncoder, error) {
	return loadFolder(dir, ReadTextConfig, NewTextModel, func(m *TextModel, src weights.Source) (*TextEncoder, error) {
		return NewTextEncoder(m, src, backend, opts)
	})
}

// NewTextEncoder loads the model's weights from src (copied; src may be
// closed afterwards).
func NewTextEncoder(m *TextModel, src weights.Source, backend compute.Backend, opts nn.Options) (*TextEncoder, error) {
	opts = resolveOptions(backend, opts)
	store, err := loadStore("CLIP text model", m.Specs(), "text_model.", src, backend, opts.DType)
	if err != nil {
		return nil, err
	}
	return &TextEncoder{Model: m, execs: newExecCache(m.Config.Architecture(), backend, store, opts)}, nil
}

// Encode runs the model on a batch of token id rows (all of one length,
// at most max_position_embeddings; SDXL uses 77).
func (e *TextEncoder) Encode(ids [][]int, want TextOutputs) (*TextResult, error) {
	flat, err := e.checkIDs(ids)
	if err != nil {
		return nil, err
	}
	return e.run(tensors.FromFlatDataAndDimensions(flat, len(ids), len(ids[0])), want)
}

// EncodeTensor is Encode for ids given as an int64 or int32 tensor [B, S]
// (what a tokenizer returns as input_ids).
func (e *TextEncoder) EncodeTensor(ids *tensors.Tensor, want TextOutputs) (*TextResult, error) {
	rows, err := idRows(ids)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.Model.Config.Architecture(), err)
	}
	return e.Encode(rows, want)
}

// Compilations is the number of graphs compiled so far: one per output
// selection and input shape.
func (e *TextEncoder) Compilations() int { return e.execs.Compilations() }

// Close frees the compiled graphs.
func (e *TextEncoder) Close() { e.execs.Forget() }

// checkIDs validates the ids on the host, so a bad id is a clear error
// rather than an out-of-range gather, and flattens them to int32.
func (e *TextEncoder) checkIDs(ids [][]int) ([]int32, error) {
	cfg := e.Model.Config
	what := cfg.Architecture()
	if len(ids) == 0 || len(ids[0]) == 0 {
		return nil, fmt.Errorf("%s: empty batch of token ids", what)
	}
	seq := len(ids[0])
	if seq > cfg.MaxPositionEmbeddings {
		return nil, fmt.Errorf("%s: sequence of %d tokens is longer than max_position_embeddings %d (tokenize with truncation to %d)", what, seq, cfg.MaxPositionEmbeddings, cfg.MaxPositionEmbeddings)
	}
	flat := make([]int32, 0, len(ids)*seq)
	for b, row := range ids {
		if len(row) != seq {
			return nil, fmt.Errorf("%s: token id rows differ in length (row 0 has %d, row %d has %d); pad them to one length", what, seq, b, len(row))
		}
		for i, id := range row {
			if id < 0 || id >= cfg.VocabSize {
				return nil, fmt.Errorf("%s: token id %d at row %d, position %d is outside the vocabulary [0, %d)", what, id, b, i, cfg.VocabSize)
			}
			flat = append(flat, int32(id))
		}
	}
	return flat, nil
}

// run compiles (once per selection and shape) and runs the graph.
func (e *TextEncoder) run(ids *tensors.Tensor, want TextOutputs) (*TextResult, error) {
	m := e.Model
	resolved, _, err := m.checkOutputs(want)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m.Config.Architecture(), err)
	}
	want.HiddenStates = resolved // −2 and L-1 are the same graph
	hidden, opt, err := e.execs.callOutputs(want.key(resolved), len(resolved),
		optionalOutputs[bool]{want.LastHiddenState, want.Pooled, want.TextEmbeds}, ids,
		func(c nn.Ctx, in *graph.Node) ([]*graph.Node, optionalOutputs[*graph.Node]) {
			n := m.Apply(c, in, want)
			return n.HiddenStates, optionalOutputs[*graph.Node]{n.LastHiddenState, n.Pooled, n.TextEmbeds}
		})
	if err != nil {
		return nil, err
	}
	return &TextResult{HiddenStates: hidden, LastHiddenState: opt[0], Pooled: opt[1], TextEmbeds: opt[2]}, nil
}

// idRows reads an integer tensor [B, S] into rows of ids.
func idRows(t *tensors.Tensor) ([][]int, error) {
	dims := t.Shape().Dimensions
	if len(dims) != 2 {
		return nil, fmt.Errorf("input ids must be [batch, seq], got shape %v", dims)
	}
	var flat []int
	switch t.DType() {
	case dtypes.Int64:
		v, err := tensors.CopyFlatData[int64](t)
		if err != nil {
			return nil, err
		}
		for _, x := range v {
			flat = append(flat, int(x)) // range-checked by checkIDs
		}
	case dtypes.Int32:
		v, err := tensors.CopyFlatData[int32](t)
		if err != nil {
			return nil, err
		}
		for _, x := range v {
			flat = append(flat, int(x))
		}
	default:
		return nil, fmt.Errorf("input ids must be int64 or int32, got %s", t.DType())
	}
	rows := make([][]int, dims[0])
	for b := range rows {
		rows[b] = flat[b*dims[1] : (b+1)*dims[1]]
	}
	return rows, nil
}

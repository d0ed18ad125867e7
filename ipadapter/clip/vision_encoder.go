package clip

import (
	"fmt"
	"slices"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// VisionEncoder is a loaded CLIP vision model, ready to encode
// preprocessed images (pixel_values). It is safe for concurrent use.
type VisionEncoder struct {
	Model *VisionModel
	execs *execCache
}

// VisionResult holds the outputs a VisionOutputs selection asked for, as
// host tensors in the compute dtype; unselected ones are nil.
type VisionResult struct {
	HiddenStates    []*tensors.Tensor // in the order of VisionOutputs.HiddenStates, [B, 1+patches, D]
	LastHiddenState *tensors.Tensor   // [B, 1+patches, D]
	Pooled          *tensors.Tensor   // [B, D]
	ImageEmbeds     *tensors.Tensor   // [B, projection_dim]
}

// LoadVisionEncoder loads an image encoder folder (config.json and
// model.safetensors, as h94/IP-Adapter's models/image_encoder). The zero
// Options mean nn.DefaultOptions(backend).
func LoadVisionEncoder(dir string, backend compute.Backend, opts nn.Options) (*VisionEncoder, error) {
	return loadFolder(dir, ReadVisionConfig, NewVisionModel, func(m *VisionModel, src weights.Source) (*VisionEncoder, error) {
		return NewVisionEncoder(m, src, backend, opts)
	})
}

// NewVisionEncoder loads the model's weights from src (copied; src may be
// closed afterwards).
func NewVisionEncoder(m *VisionModel, src weights.Source, backend compute.Backend, opts nn.Options) (*VisionEncoder, error) {
	opts = resolveOptions(backend, opts)
	store, err := loadStore("CLIP vision model", m.Specs(), "vision_model.", src, backend, opts.DType)
	if err != nil {
		return nil, err
	}
	return &VisionEncoder{Model: m, execs: newExecCache(m.Config.Architecture(), backend, store, opts)}, nil
}

// Encode runs the model on pixel_values [B, C, S, S] (float32, or any
// float dtype; S = image_size, 224 for the IP-Adapter encoders).
func (e *VisionEncoder) Encode(pixels *tensors.Tensor, want VisionOutputs) (*VisionResult, error) {
	what := e.Model.Config.Architecture()
	dims := pixels.Shape().Dimensions
	if !pixels.DType().IsFloat() {
		return nil, fmt.Errorf("%s: pixel_values must be a float tensor, got %s", what, pixels.Shape())
	}
	if err := e.checkDims(dims); err != nil {
		return nil, err
	}
	return e.run(pixels, want)
}

// EncodeFloat32s is Encode for pixel values in a flat slice of
// B·C·S·S float32s (row-major [B, C, S, S]).
func (e *VisionEncoder) EncodeFloat32s(pixels []float32, dims []int, want VisionOutputs) (*VisionResult, error) {
	if err := e.checkDims(dims); err != nil {
		return nil, err
	}
	n := 1
	for _, d := range dims {
		n *= d
	}
	if len(pixels) != n {
		return nil, fmt.Errorf("%s: %d pixel values for shape %v (%d needed)", e.Model.Config.Architecture(), len(pixels), dims, n)
	}
	return e.run(tensors.FromFlatDataAndDimensions(pixels, dims...), want)
}

// Compilations is the number of graphs compiled so far: one per output
// selection and batch size.
func (e *VisionEncoder) Compilations() int { return e.execs.Compilations() }

// Close frees the compiled graphs.
func (e *VisionEncoder) Close() { e.execs.Forget() }

func (e *VisionEncoder) checkDims(dims []int) error {
	want := e.Model.InputDims(1)
	if len(dims) != 4 || dims[0] < 1 || !slices.Equal(dims[1:], want[1:]) {
		s := e.Model.Config.ImageSize
		return fmt.Errorf("%s: pixel_values must be [batch, %d, %d, %d], got %v (preprocess images to %d×%d first; the model has no position-embedding interpolation)",
			e.Model.Config.Architecture(), want[1], want[2], want[3], dims, s, s)
	}
	return nil
}

// run compiles (once per selection and batch size) and runs the graph.
func (e *VisionEncoder) run(pixels *tensors.Tensor, want VisionOutputs) (*VisionResult, error) {
	m := e.Model
	resolved, _, err := m.checkOutputs(want)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m.Config.Architecture(), err)
	}
	want.HiddenStates = resolved
	hidden, opt, err := e.execs.callOutputs(want.key(resolved), len(resolved),
		optionalOutputs[bool]{want.LastHiddenState, want.Pooled, want.ImageEmbeds}, pixels,
		func(c nn.Ctx, in *graph.Node) ([]*graph.Node, optionalOutputs[*graph.Node]) {
			n := m.Apply(c, in, want)
			return n.HiddenStates, optionalOutputs[*graph.Node]{n.LastHiddenState, n.Pooled, n.ImageEmbeds}
		})
	if err != nil {
		return nil, err
	}
	return &VisionResult{HiddenStates: hidden, LastHiddenState: opt[0], Pooled: opt[1], ImageEmbeds: opt[2]}, nil
}

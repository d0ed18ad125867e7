package main

import (
	"fmt"
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/exceptions"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/attention"
)

// attnCase is one attention shape, in BHSD layout (PyTorch's, as diffusers uses).
type attnCase struct {
	Name               string
	B, H, Sq, Skv, Dim int
}

func (c attnCase) qDims() []int  { return []int{c.B, c.H, c.Sq, c.Dim} }
func (c attnCase) kvDims() []int { return []int{c.B, c.H, c.Skv, c.Dim} }

// flops counts the two matmuls (QKᵀ and PV), 2 flops per multiply-add.
func (c attnCase) flops() float64 {
	return 4 * float64(c.B) * float64(c.H) * float64(c.Sq) * float64(c.Skv) * float64(c.Dim)
}

func (c attnCase) shape() string {
	return fmt.Sprintf("q[%d,%d,%d,%d] kv[%d,%d,%d,%d]", c.B, c.H, c.Sq, c.Dim, c.B, c.H, c.Skv, c.Dim)
}

// decomposedAttention is softmax(QKᵀ·scale)V with QKᵀ produced in f32 and
// the softmax in f32, then P cast back to the input dtype for PV (with f32
// accumulation). With f32 inputs it is the reference.
func decomposedAttention(q, k, v *graph.Node) *graph.Node {
	scale := 1 / math.Sqrt(float64(q.Shape().Dim(-1)))
	scores := graph.Dot(q, k).WithOutputDType(dtypes.Float32).General([]int{3}, []int{0, 1}, []int{3}, []int{0, 1})
	probs := graph.Softmax(graph.MulScalar(scores, scale), -1)
	probs = graph.ConvertDType(probs, v.DType())
	return graph.Dot(probs, v).General([]int{3}, []int{0, 1}, []int{2}, []int{0, 1})
}

// attnVariant is one way of computing attention.
type attnVariant struct {
	Name string
	Fn   func(q, k, v *graph.Node) *graph.Node
}

// attnVariants are the computations compared against the f32 reference.
var attnVariants = []attnVariant{
	// gomlx's attention.Core with default options: tries the backend's fused
	// SDPA (cuDNN flash attention on CUDA) and falls back to its decomposed graph.
	{"fused", func(q, k, v *graph.Node) *graph.Node {
		out, _ := attention.Core(q, k, v, attention.LayoutBHSD, attention.CoreOptions{})
		return out
	}},
	// Our decomposed path: f32 scores and softmax.
	{"decomposed_f32softmax", decomposedAttention},
	// gomlx's own decomposed path (softmax in the input dtype).
	{"core_decomposed", func(q, k, v *graph.Node) *graph.Node {
		out, _ := attention.Core(q, k, v, attention.LayoutBHSD, attention.CoreOptions{DisableFusion: true})
		return out
	}},
}

// fusedTaken builds (without compiling) the same fused-or-fallback choice as
// attention.Core and reports whether the fused op was accepted by the backend.
func fusedTaken(b compute.Backend, dt dtypes.DType, c attnCase) (taken bool, err error) {
	if !b.Capabilities().Operations[compute.OpTypeFusedScaledDotProductAttention] {
		return false, nil
	}
	err = exceptions.TryCatch[error](func() {
		g := graph.NewGraph(b, "gpucheck_fused_probe")
		defer g.Finalize()
		q := graph.Parameter(g, "q", shapes.Make(dt, c.qDims()...))
		k := graph.Parameter(g, "k", shapes.Make(dt, c.kvDims()...))
		v := graph.Parameter(g, "v", shapes.Make(dt, c.kvDims()...))
		_, taken = graph.InternalFusedOpCaller(
			func() *graph.Node {
				out, _ := graph.BackendFusedScaledDotProductAttention(q, k, v, compute.AttentionAxesLayoutBHSD,
					&compute.ScaledDotProductAttentionConfig{})
				return out
			},
			func() *graph.Node { return decomposedAttention(q, k, v) },
			false)
	})
	return taken, err
}

// checkAttention runs every variant of one case in one dtype and records
// errors against the f32 reference computed on the same device from the
// same (rounded) inputs.
func (ck *checker) checkAttention(c attnCase, dt dtypes.DType) {
	base := Record{Check: "attention", Case: c.Name, DType: dtName(dt), Shape: c.shape(), Reference: "f32 decomposed on device, same rounded inputs, no TF32"}
	if ck.pastDeadline() {
		base.Err = "skipped: time budget used up"
		ck.rec.add(base)
		return
	}
	hq, hk, hv := ck.hostQKV(c)
	prep, err := graph.NewExec(ck.b, func(q, k, v *graph.Node) (*graph.Node, *graph.Node, *graph.Node) {
		return graph.ConvertDType(q, dt), graph.ConvertDType(k, dt), graph.ConvertDType(v, dt)
	})
	if err != nil {
		base.Err = "prep exec: " + err.Error()
		ck.rec.add(base)
		return
	}
	prep.WithName(fmt.Sprintf("gpucheck_prep_%s_%s", c.Name, dtName(dt)))
	defer prep.Finalize()
	qkv, _, err := callOnce(prep, hq, hk, hv)
	if err != nil {
		base.Err = "converting inputs: " + err.Error()
		ck.rec.add(base)
		return
	}
	defer freeAll(qkv...)
	args := []any{qkv[0], qkv[1], qkv[2]}

	// Reference: f32 decomposed from the rounded inputs.
	refRec := base
	refRec.Variant, refRec.Reference = "f32_reference", ""
	ref, err := ck.runVariant(&refRec, fmt.Sprintf("gpucheck_attn_%s_%s_f32ref", c.Name, dtName(dt)), c.flops(), func(q, k, v *graph.Node) *graph.Node {
		return decomposedAttention(graph.ConvertDType(q, dtypes.Float32), graph.ConvertDType(k, dtypes.Float32), graph.ConvertDType(v, dtypes.Float32))
	}, args)
	ck.rec.add(refRec)
	if err != nil {
		return
	}
	defer freeAll(ref)

	taken, probeErr := fusedTaken(ck.b, dt, c)
	for _, variant := range ck.variants {
		rec := base
		rec.Variant = variant.Name
		if ck.pastDeadline() {
			rec.Err = "skipped: time budget used up"
			ck.rec.add(rec)
			continue
		}
		if variant.Name == "fused" {
			if probeErr != nil {
				rec.Info = map[string]any{"fused_probe_error": probeErr.Error()}
			} else {
				rec.Fused = &taken
			}
		}
		name := fmt.Sprintf("gpucheck_attn_%s_%s_%s", c.Name, dtName(dt), variant.Name)
		out, err := ck.runVariant(&rec, name, c.flops(), variant.Fn, args)
		if err == nil {
			ck.measureErrors(&rec, out, ref)
			freeAll(out)
		}
		if found, ok := cudnnFMHAInDump(ck.dumpDir, name); ok {
			rec.HLOFMHA = &found
		}
		ck.rec.add(rec)
	}
}

// runVariant compiles and runs fn once (returning its output), then times it.
// Failures go into rec.Err and are returned.
func (ck *checker) runVariant(rec *Record, name string, flops float64, fn func(q, k, v *graph.Node) *graph.Node, args []any) (out *tensors.Tensor, err error) {
	err = safely(func() error {
		e, err := graph.NewExec(ck.b, fn)
		if err != nil {
			return err
		}
		e.WithName(name)
		defer e.Finalize()
		outs, first, err := callOnce(e, args...)
		if err != nil {
			return err
		}
		rec.FirstMS = ms(first)
		out = outs[0]
		t, err := timeReps(e, ck.warmup, ck.reps, args...)
		if err != nil {
			return err
		}
		rec.MedianMS, rec.MinMS, rec.Reps = ms(t.Median), ms(t.Min), t.Reps
		if t.Median > 0 {
			rec.TFLOPS = flops / t.Median.Seconds() / 1e12
		}
		return nil
	})
	if err != nil {
		rec.Err = err.Error()
		freeAll(out)
		return nil, err
	}
	return out, nil
}

// measureErrors fills the error columns of rec, or its Err.
func (ck *checker) measureErrors(rec *Record, out, ref *tensors.Tensor) {
	err := safely(func() error {
		maxAbs, rel, err := compare(ck.metrics, out, ref)
		if err != nil {
			return err
		}
		rec.MaxAbs, rec.RelL2 = ptr(maxAbs), ptr(rel)
		return nil
	})
	if err != nil {
		rec.Err = "error metrics: " + err.Error()
	}
}

package main

import (
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// checker holds what every check needs.
type checker struct {
	b              compute.Backend
	xb             xlaBackend // nil unless the backend is go-xla's
	rec            *recorder
	metrics, toF32 *graph.Exec
	warmup, reps   int
	hostMax        int
	deadline       time.Time
	dumpDir        string

	variants []attnVariant // attention variants to run

	qkv map[string][3]*tensors.Tensor
	mm  map[int][2]*tensors.Tensor
}

func newChecker(b compute.Backend, rec *recorder) (*checker, error) {
	metrics, err := newMetricsExec(b)
	if err != nil {
		return nil, fmt.Errorf("metrics exec: %w", err)
	}
	toF32, err := graph.NewExec(b, func(x *graph.Node) *graph.Node { return graph.ConvertDType(x, dtypes.Float32) })
	if err != nil {
		return nil, fmt.Errorf("to-f32 exec: %w", err)
	}
	toF32.WithName("gpucheck_tof32").SetMaxCache(256)
	ck := &checker{b: b, rec: rec, metrics: metrics, toF32: toF32,
		qkv: map[string][3]*tensors.Tensor{}, mm: map[int][2]*tensors.Tensor{}}
	ck.xb = asXLABackend(b)
	return ck, nil
}

// selectVariants keeps the named attention variants, in their usual order.
func (ck *checker) selectVariants(list string) error {
	want := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		if name = strings.TrimSpace(name); name != "" {
			want[name] = true
		}
	}
	ck.variants = nil
	for _, v := range attnVariants {
		if want[v.Name] {
			ck.variants = append(ck.variants, v)
			delete(want, v.Name)
		}
	}
	for name := range want {
		return fmt.Errorf("unknown attention variant %q", name)
	}
	return nil
}

func (ck *checker) pastDeadline() bool {
	return !ck.deadline.IsZero() && time.Now().After(ck.deadline)
}

// setTF32 switches go-xla's TF32 use for f32 dots (read when a graph is
// built) and returns the function that restores the previous value.
func (ck *checker) setTF32(on bool) func() {
	if ck.xb == nil {
		return func() {}
	}
	old := ck.xb.TF32()
	ck.xb.SetTF32(on)
	return func() { ck.xb.SetTF32(old) }
}

// hostQKV returns deterministic N(0,1) query, key and value tensors for a case.
func (ck *checker) hostQKV(c attnCase) (q, k, v *tensors.Tensor) {
	if t, ok := ck.qkv[c.Name]; ok {
		return t[0], t[1], t[2]
	}
	rng := rand.New(rand.NewPCG(uint64(c.Sq), uint64(c.Skv)))
	gen := func(dims []int) *tensors.Tensor {
		n := 1
		for _, d := range dims {
			n *= d
		}
		data := make([]float32, n)
		for i := range data {
			data[i] = float32(rng.NormFloat64())
		}
		return tensors.FromFlatDataAndDimensions(data, dims...)
	}
	t := [3]*tensors.Tensor{gen(c.qDims()), gen(c.kvDims()), gen(c.kvDims())}
	ck.qkv[c.Name] = t
	return t[0], t[1], t[2]
}

// hostMatrices returns deterministic U(-1,1) n×n matrices.
func (ck *checker) hostMatrices(n int) (a, b *tensors.Tensor) {
	if t, ok := ck.mm[n]; ok {
		return t[0], t[1]
	}
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	gen := func() *tensors.Tensor {
		data := make([]float32, n*n)
		for i := range data {
			data[i] = float32(2*rng.Float64() - 1)
		}
		return tensors.FromFlatDataAndDimensions(data, n, n)
	}
	t := [2]*tensors.Tensor{gen(), gen()}
	ck.mm[n] = t
	return t[0], t[1]
}

// checkOverhead times a trivial graph: the floor under every median.
func (ck *checker) checkOverhead() {
	rec := Record{Check: "overhead", Case: "x+1", DType: "f32", Shape: "[]"}
	err := safely(func() error {
		e, err := graph.NewExec(ck.b, func(x *graph.Node) *graph.Node { return graph.AddScalar(x, 1) })
		if err != nil {
			return err
		}
		defer e.Finalize()
		e.WithName("gpucheck_overhead")
		x := tensors.FromScalar(float32(1))
		outs, first, err := callOnce(e, x)
		if err != nil {
			return err
		}
		got, err := tensors.CopyFlatData[float32](outs[0])
		freeAll(outs...)
		if err != nil {
			return err
		}
		if got[0] != 2 {
			return fmt.Errorf("1+1 = %v", got[0])
		}
		rec.FirstMS = ms(first)
		t, err := timeReps(e, ck.warmup, 4*ck.reps, x)
		if err != nil {
			return err
		}
		rec.MedianMS, rec.MinMS, rec.Reps = ms(t.Median), ms(t.Min), t.Reps
		return nil
	})
	if err != nil {
		rec.Err = err.Error()
	}
	ck.rec.add(rec)
}

// safely runs fn, turning a panic (gomlx reports graph errors that way)
// into an error, so one failing check never stops the others.
func safely(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			stack := strings.Split(string(debug.Stack()), "\n")
			if len(stack) > 24 {
				stack = stack[:24]
			}
			fmt.Printf("panic: %v\n%s\n", r, strings.Join(stack, "\n"))
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return fn()
}

// dtName is the short dtype name used in records.
func dtName(dt dtypes.DType) string {
	switch dt {
	case dtypes.Float32:
		return "f32"
	case dtypes.Float16:
		return "f16"
	case dtypes.BFloat16:
		return "bf16"
	}
	return dt.String()
}

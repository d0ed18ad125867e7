package main

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// checkMatmul multiplies two n×n matrices in dtype dt on the device and
// compares with a float64 host product of the same rounded inputs (for
// n ≤ hostMax), else with a device f32 product without TF32.
func (ck *checker) checkMatmul(n int, dt dtypes.DType, tf32 bool) {
	rec := Record{Check: "matmul", Case: fmt.Sprint(n), DType: dtName(dt), Shape: fmt.Sprintf("[%d,%d]x[%d,%d]", n, n, n, n)}
	if tf32 {
		rec.Variant = "tf32"
	}
	if ck.pastDeadline() {
		rec.Err = "skipped: time budget used up"
		ck.rec.add(rec)
		return
	}
	err := safely(func() error {
		ha, hb := ck.hostMatrices(n)
		prep, err := graph.NewExec(ck.b, func(a, b *graph.Node) (*graph.Node, *graph.Node) {
			return graph.ConvertDType(a, dt), graph.ConvertDType(b, dt)
		})
		if err != nil {
			return err
		}
		defer prep.Finalize()
		ab, _, err := callOnce(prep.WithName("gpucheck_mm_prep"), ha, hb)
		if err != nil {
			return fmt.Errorf("converting inputs: %w", err)
		}
		defer freeAll(ab...)

		e, err := graph.NewExec(ck.b, func(a, b *graph.Node) *graph.Node { return graph.MatMul(a, b) })
		if err != nil {
			return err
		}
		defer e.Finalize()
		e.WithName(fmt.Sprintf("gpucheck_mm_%d_%s_%s", n, dtName(dt), map[bool]string{true: "tf32", false: "plain"}[tf32]))
		restore := ck.setTF32(tf32)
		outs, first, err := callOnce(e, ab[0], ab[1])
		restore()
		if err != nil {
			return err
		}
		defer freeAll(outs...)
		rec.FirstMS = ms(first)

		if n <= ck.hostMax {
			rec.Reference = "float64 host product of the same rounded inputs"
			if err := ck.compareWithHost(&rec, ab[0], ab[1], outs[0], n); err != nil {
				return err
			}
		} else {
			rec.Reference = "device f32 product, no TF32"
			ref, err := ck.deviceF32Product(ab[0], ab[1])
			if err != nil {
				return fmt.Errorf("f32 reference: %w", err)
			}
			maxAbs, rel, err := compare(ck.metrics, outs[0], ref)
			freeAll(ref)
			if err != nil {
				return err
			}
			rec.MaxAbs, rec.RelL2 = ptr(maxAbs), ptr(rel)
		}

		t, err := timeReps(e, ck.warmup, ck.reps, ab[0], ab[1])
		if err != nil {
			return err
		}
		rec.MedianMS, rec.MinMS, rec.Reps = ms(t.Median), ms(t.Min), t.Reps
		if t.Median > 0 {
			rec.TFLOPS = 2 * math.Pow(float64(n), 3) / t.Median.Seconds() / 1e12
		}
		return nil
	})
	if err != nil {
		rec.Err = err.Error()
	}
	ck.rec.add(rec)
}

// deviceF32Product multiplies a and b (any float dtype) in f32 on the device.
func (ck *checker) deviceF32Product(a, b *tensors.Tensor) (*tensors.Tensor, error) {
	e, err := graph.NewExec(ck.b, func(a, b *graph.Node) *graph.Node {
		return graph.MatMul(graph.ConvertDType(a, dtypes.Float32), graph.ConvertDType(b, dtypes.Float32))
	})
	if err != nil {
		return nil, err
	}
	defer e.Finalize()
	outs, _, err := callOnce(e.WithName("gpucheck_mm_f32ref"), a, b)
	if err != nil {
		return nil, err
	}
	return outs[0], nil
}

// compareWithHost fetches inputs and output as f32 and compares the output
// with a float64 product computed here.
func (ck *checker) compareWithHost(rec *Record, a, b, out *tensors.Tensor, n int) error {
	flat := make([][]float32, 3)
	for i, t := range []*tensors.Tensor{a, b, out} {
		f, err := ck.toHostF32(t)
		if err != nil {
			return fmt.Errorf("fetching to host: %w", err)
		}
		flat[i] = f
	}
	want := hostMatMul(flat[0], flat[1], n)
	var maxAbs, sumSq, refSq float64
	for i, w := range want {
		d := float64(flat[2][i]) - w
		maxAbs = math.Max(maxAbs, math.Abs(d))
		if math.IsNaN(d) {
			maxAbs = math.NaN()
		}
		sumSq += d * d
		refSq += w * w
	}
	rec.MaxAbs, rec.RelL2 = ptr(maxAbs), ptr(math.Sqrt(sumSq/refSq))
	return nil
}

// toHostF32 converts a tensor to f32 on the device and copies it to the host.
func (ck *checker) toHostF32(t *tensors.Tensor) ([]float32, error) {
	outs, _, err := callOnce(ck.toF32, t)
	if err != nil {
		return nil, err
	}
	defer freeAll(outs...)
	return tensors.CopyFlatData[float32](outs[0])
}

// hostMatMul is a float64-accumulated n×n product, rows spread over the CPUs.
func hostMatMul(a, b []float32, n int) []float64 {
	out := make([]float64, n*n)
	var wg sync.WaitGroup
	rows := make(chan int, n)
	for i := range n {
		rows <- i
	}
	close(rows)
	for range runtime.NumCPU() {
		wg.Go(func() {
			acc := make([]float64, n)
			for i := range rows {
				clear(acc)
				for k := range n {
					aik := float64(a[i*n+k])
					row := b[k*n : (k+1)*n]
					for j, bkj := range row {
						acc[j] += aik * float64(bkj)
					}
				}
				copy(out[i*n:(i+1)*n], acc)
			}
		})
	}
	wg.Wait()
	return out
}

package main

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// newMetricsExec compares an output with a reference on the device, in f32,
// so that multi-megabyte outputs never travel to the host: it returns the max
// absolute error and the relative L2 error ‖out−ref‖/‖ref‖.
func newMetricsExec(b compute.Backend) (*graph.Exec, error) {
	e, err := graph.NewExec(b, func(out, ref *graph.Node) (*graph.Node, *graph.Node) {
		ref32 := graph.ConvertDType(ref, dtypes.Float32)
		diff := graph.Sub(graph.ConvertDType(out, dtypes.Float32), ref32)
		maxAbs := graph.ReduceAllMax(graph.Abs(diff))
		rel := graph.Sqrt(graph.Div(graph.ReduceAllSum(graph.Square(diff)), graph.ReduceAllSum(graph.Square(ref32))))
		return maxAbs, rel
	})
	if err != nil {
		return nil, err
	}
	e.WithName("gpucheck_metrics").SetMaxCache(256)
	return e, nil
}

// compare runs the metrics Exec and fetches its two scalars.
func compare(metrics *graph.Exec, out, ref *tensors.Tensor) (maxAbs, relL2 float64, err error) {
	outs, err := metrics.Call(out, ref)
	if err != nil {
		return 0, 0, fmt.Errorf("computing errors: %w", err)
	}
	defer freeAll(outs...)
	vals := make([]float64, 2)
	for i, t := range outs {
		flat, err := tensors.CopyFlatData[float32](t)
		if err != nil {
			return 0, 0, fmt.Errorf("fetching error metric %d: %w", i, err)
		}
		vals[i] = float64(flat[0])
	}
	return vals[0], vals[1], nil
}

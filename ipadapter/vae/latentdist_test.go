package vae

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
)

// fixedNormal returns given values and remembers the shape asked for.
type fixedNormal struct {
	vals  []float32
	shape []int
	err   error
}

func (f *fixedNormal) Randn(shape ...int) ([]float32, error) {
	f.shape = shape
	return f.vals, f.err
}

func TestLatentDistSample(t *testing.T) {
	d := &LatentDist{Shape: []int{1, 1, 1, 3}, Mean: []float32{1, 2, 3}, LogVar: []float32{0, 0, 0}, Std: []float32{0.5, 2, 0.1}}
	gen := &fixedNormal{vals: []float32{2, -1, 0.3}}
	s, err := d.Sample(gen)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(gen.shape, d.Shape) {
		t.Errorf("noise drawn with shape %v, want %v", gen.shape, d.Shape)
	}
	want := []float32{2, 0, 3 + float32(float32(0.1)*float32(0.3))}
	if !slices.Equal(s, want) {
		t.Errorf("sample %v, want %v", s, want)
	}
	mode := d.Mode()
	mode[0] = 42
	if d.Mean[0] != 1 {
		t.Error("Mode shares the mean's storage")
	}
	if _, err := d.Sample(&fixedNormal{err: errors.New("boom")}); err == nil {
		t.Error("generator error lost")
	}
	if _, err := d.Sample(&fixedNormal{vals: []float32{1}}); err == nil {
		t.Error("short noise accepted")
	}
	if _, err := d.Sample(nil); err == nil {
		t.Error("nil generator accepted")
	}
}

// TestDiagonalGaussian checks the split, the log-variance clamp and std.
func TestDiagonalGaussian(t *testing.T) {
	moments := []float32{0.5, -7, 40, -50, 3, 1.25} // [1, 2, 1, 3]: channel 0 mean, channel 1 logvar
	outs, err := graph.ExecOnceN(testutil.Backend(t), func(x *graph.Node) []*graph.Node {
		m, lv, sd := diagonalGaussian(x)
		return []*graph.Node{m, lv, sd}
	}, tensors.FromFlatDataAndDimensions(moments, 1, 2, 1, 3))
	if err != nil {
		t.Fatal(err)
	}
	mean, logVar, std := tensors.MustCopyFlatData[float32](outs[0]), tensors.MustCopyFlatData[float32](outs[1]), tensors.MustCopyFlatData[float32](outs[2])
	if !slices.Equal(mean, []float32{0.5, -7, 40}) || !slices.Equal(logVar, []float32{-30, 3, 1.25}) {
		t.Errorf("mean %v, logvar %v", mean, logVar)
	}
	for i, lv := range logVar {
		if want := math.Exp(0.5 * float64(lv)); math.Abs(float64(std[i])-want) > 1e-6*want {
			t.Errorf("std[%d] = %v, want %v", i, std[i], want)
		}
	}
	// The upper clamp: logvar 40 → 20.
	outs, err = graph.ExecOnceN(testutil.Backend(t), func(x *graph.Node) []*graph.Node {
		_, lv, _ := diagonalGaussian(x)
		return []*graph.Node{lv}
	}, tensors.FromFlatDataAndDimensions([]float32{0, 40}, 1, 2, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	if lv := tensors.MustCopyFlatData[float32](outs[0]); lv[0] != 20 {
		t.Errorf("logvar 40 clamped to %v, want 20", lv[0])
	}
}

// TestEncodeShapes runs the encoder end to end on a small random model.
func TestEncodeShapes(t *testing.T) {
	m := randomModel(t, smallConfig())
	x, _ := randomTensor(4, 2, 3, 16, 24)
	d, err := m.Encode(x)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Shape, []int{2, 4, 2, 3}) || len(d.Mean) != 48 || len(d.Std) != 48 || len(d.LogVar) != 48 {
		t.Fatalf("latent dist shape %v (%d values)", d.Shape, len(d.Mean))
	}
	for i, lv := range d.LogVar {
		if lv < -30 || lv > 20 || d.Std[i] <= 0 {
			t.Errorf("value %d: logvar %v std %v", i, lv, d.Std[i])
		}
	}
}

package nn

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// randomSource builds an in-memory checkpoint holding random values for
// every spec, so layers can be checked against plain Go loops.
func randomSource(t *testing.T, specs []Spec, seed uint64) (weights.Source, map[string][]float32) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	vals := map[string][]float32{}
	var named []weights.Named
	for _, s := range specs {
		v := testutil.Normal(rng, s.NumElements(), 0.5)
		vals[s.Name] = v
		named = append(named, testutil.Float32Named(s.Name, s.Shape, v))
	}
	return testutil.OpenSafetensors(t, named), vals
}

func randomInput(n int, seed uint64) []float32 {
	return testutil.Normal(rand.New(rand.NewPCG(seed, 2)), n, 1)
}

// run builds and runs fn over the registry's weights with one input.
func run(t *testing.T, r *Registry, opts Options, fn func(c Ctx, x *graph.Node) *graph.Node, x []float32, shape ...int) ([]float32, []int, map[string][]float32) {
	t.Helper()
	src, vals := randomSource(t, r.Specs(), 7)
	b := testutil.Backend(t)
	store, unused, err := Load(r.Specs(), src, b, dtypes.Float32)
	if err != nil || len(unused) > 0 {
		t.Fatalf("load: %v (unused %v)", err, unused)
	}
	e, err := NewExec("test", b, store, opts, func(c Ctx, in []*graph.Node) []*graph.Node {
		return []*graph.Node{fn(c, in[0])}
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Call(tensors.FromFlatDataAndDimensions(x, shape...))
	if err != nil {
		t.Fatal(err)
	}
	return tensors.MustCopyFlatData[float32](out[0]), out[0].Shape().Dimensions, vals
}

func assertClose(t *testing.T, got, want []float32, atol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d values, want %d", len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(float64(got[i] - want[i])); !(d <= atol+1e-5*math.Abs(float64(want[i]))) {
			t.Fatalf("at %d: got %g want %g (diff %g)", i, got[i], want[i], d)
		}
	}
}

func TestLinear(t *testing.T) {
	r := NewRegistry()
	l := r.In("proj").Linear("fc", 5, 3, true)
	if l.Name != "proj.fc" {
		t.Fatalf("name %q", l.Name)
	}
	x := randomInput(2*5, 1)
	got, shape, w := run(t, r, Options{}, l.Apply, x, 2, 5)
	want := make([]float32, 2*3)
	for b := range 2 {
		for o := range 3 {
			s := float64(w["proj.fc.bias"][o])
			for i := range 5 {
				s += float64(x[b*5+i]) * float64(w["proj.fc.weight"][o*5+i])
			}
			want[b*3+o] = float32(s)
		}
	}
	if shape[0] != 2 || shape[1] != 3 {
		t.Fatalf("shape %v", shape)
	}
	assertClose(t, got, want, 1e-5)
}

func TestGroupNorm(t *testing.T) {
	r := NewRegistry()
	gn := r.GroupNorm("norm", 2, 4, 1e-5)
	x := randomInput(2*4*3, 4)
	got, _, w := run(t, r, Options{}, gn.Apply, x, 2, 4, 3)
	want := make([]float32, len(x))
	for b := range 2 {
		for g := range 2 {
			seg := x[b*12+g*6 : b*12+g*6+6]
			var mean, vr float64
			for _, v := range seg {
				mean += float64(v)
			}
			mean /= 6
			for _, v := range seg {
				vr += (float64(v) - mean) * (float64(v) - mean)
			}
			vr /= 6
			for i, v := range seg {
				c := g*2 + i/3
				want[b*12+g*6+i] = float32((float64(v)-mean)/math.Sqrt(vr+1e-5)*float64(w["norm.weight"][c]) + float64(w["norm.bias"][c]))
			}
		}
	}
	assertClose(t, got, want, 1e-5)
}

func TestAttentionMatchesSoftmaxDefinition(t *testing.T) {
	r := NewRegistry()
	// q, k, v from one input [1, 2 heads, 3 tokens, 4 dims]: k = v = q to keep the check small.
	x := randomInput(1*2*3*4, 5)
	got, _, _ := run(t, r, Options{}, func(c Ctx, q *graph.Node) *graph.Node {
		return Attention(c, q, q, q, nil)
	}, x, 1, 2, 3, 4)
	want := make([]float32, len(x))
	for h := range 2 {
		base := h * 12
		for i := range 3 {
			scores := make([]float64, 3)
			var mx = math.Inf(-1)
			for j := range 3 {
				var s float64
				for d := range 4 {
					s += float64(x[base+i*4+d]) * float64(x[base+j*4+d])
				}
				scores[j] = s / 2 // 1/sqrt(4)
				mx = math.Max(mx, scores[j])
			}
			var z float64
			for j := range scores {
				scores[j] = math.Exp(scores[j] - mx)
				z += scores[j]
			}
			for d := range 4 {
				var o float64
				for j := range 3 {
					o += scores[j] / z * float64(x[base+j*4+d])
				}
				want[base+i*4+d] = float32(o)
			}
		}
	}
	assertClose(t, got, want, 1e-5)
}

func TestLoadReportsMismatches(t *testing.T) {
	r := NewRegistry()
	r.Linear("a", 2, 3, true)
	src, _ := randomSource(t, []Spec{{"a.weight", []int{3, 3}}, {"extra", []int{1}}}, 1)
	unused, err := CheckSpecs(r.Specs(), src)
	if err == nil {
		t.Fatal("mismatch not reported")
	}
	for _, want := range []string{"a.bias", "a.weight: checkpoint has [3 3], model needs [3 2]"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if len(unused) != 1 || unused[0] != "extra" {
		t.Errorf("unused = %v", unused)
	}
}

func TestLayerNormOnTokens(t *testing.T) {
	r := NewRegistry()
	ln := r.LayerNorm("ln", 4, 1e-5)
	x := randomInput(2*3*4, 9)
	got, shape, w := run(t, r, Options{}, ln.Apply, x, 2, 3, 4)
	if len(shape) != 3 {
		t.Fatalf("shape %v", shape)
	}
	want := make([]float32, len(x))
	for row := range 6 {
		seg := x[row*4 : row*4+4]
		var mean, vr float64
		for _, v := range seg {
			mean += float64(v) / 4
		}
		for _, v := range seg {
			vr += (float64(v) - mean) * (float64(v) - mean) / 4
		}
		for i, v := range seg {
			want[row*4+i] = float32((float64(v)-mean)/math.Sqrt(vr+1e-5)*float64(w["ln.weight"][i]) + float64(w["ln.bias"][i]))
		}
	}
	assertClose(t, got, want, 1e-5)
}

func TestDefaultOptionsOnGoBackend(t *testing.T) {
	if o := DefaultOptions(testutil.Backend(t)); !o.Im2Col || o.DType != dtypes.Float32 {
		t.Errorf("go backend options %+v: want Im2Col and Float32", o)
	}
}

package unet

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// Sizes of the single cross-attention layer the IP math is checked on.
const (
	tDim, tHeads, tKV = 8, 2, 6 // query width, heads, key/value width
	tB, tSq, tS, tT   = 2, 5, 3, 4
)

// refStream is one IP stream for the reference computation.
type refStream struct {
	adapter int
	tokens  []float32 // [B, N, T, KV]
	n       int
	scales  []float32 // [N] (masked) or [1]
	masks   []float32 // [mb, N, Sq] or nil
	mb      int       // mask batch (1 or B)
}

// linear computes x·Wᵀ (+ b) for x [rows, in], W [out, in] in float64.
func linear(x []float64, rows, in int, w []float32, out int, b []float32) []float64 {
	y := make([]float64, rows*out)
	for r := range rows {
		for o := range out {
			s := 0.0
			if b != nil {
				s = float64(b[o])
			}
			for i := range in {
				s += x[r*in+i] * float64(w[o*in+i])
			}
			y[r*out+o] = s
		}
	}
	return y
}

func to64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// sdpa is softmax(QKᵀ/√d)V per head for one batch row: q [Sq, dim],
// k, v [S, dim], returning [Sq, dim].
func sdpa(q, k, v []float64, sq, s int) []float64 {
	d := tDim / tHeads
	out := make([]float64, sq*tDim)
	for h := range tHeads {
		for i := range sq {
			scores := make([]float64, s)
			mx := math.Inf(-1)
			for j := range s {
				for e := range d {
					scores[j] += q[i*tDim+h*d+e] * k[j*tDim+h*d+e]
				}
				scores[j] /= math.Sqrt(float64(d))
				mx = math.Max(mx, scores[j])
			}
			z := 0.0
			for j := range scores {
				scores[j] = math.Exp(scores[j] - mx)
				z += scores[j]
			}
			for e := range d {
				for j := range s {
					out[i*tDim+h*d+e] += scores[j] / z * v[j*tDim+h*d+e]
				}
			}
		}
	}
	return out
}

// referenceCross is diffusers' IPAdapterAttnProcessor written out with
// loops in float64.
func referenceCross(w func(string) []float32, name string, x, text []float32, streams []refStream) []float32 {
	out := make([]float32, tB*tSq*tDim)
	for b := range tB {
		xb := to64(x[b*tSq*tDim : (b+1)*tSq*tDim])
		tb := to64(text[b*tS*tKV : (b+1)*tS*tKV])
		q := linear(xb, tSq, tDim, w(name+".to_q.weight"), tDim, nil)
		h := sdpa(q, linear(tb, tS, tKV, w(name+".to_k.weight"), tDim, nil), linear(tb, tS, tKV, w(name+".to_v.weight"), tDim, nil), tSq, tS)
		for _, st := range streams {
			kn, vn := IPWeightNames(name, st.adapter)
			per := tT * tKV
			tok := st.tokens[b*st.n*per : (b+1)*st.n*per]
			if st.masks == nil { // all images in one softmax
				tk := to64(tok)
				a := sdpa(q, linear(tk, st.n*tT, tKV, w(kn), tDim, nil), linear(tk, st.n*tT, tKV, w(vn), tDim, nil), tSq, st.n*tT)
				for i := range h {
					h[i] += float64(st.scales[0]) * a[i]
				}
				continue
			}
			mb := min(b, st.mb-1)
			for img := range st.n {
				tk := to64(tok[img*per : (img+1)*per])
				a := sdpa(q, linear(tk, tT, tKV, w(kn), tDim, nil), linear(tk, tT, tKV, w(vn), tDim, nil), tSq, tT)
				for i := range tSq {
					m := float64(st.masks[(mb*st.n+img)*tSq+i])
					for e := range tDim {
						h[i*tDim+e] += float64(st.scales[img]) * a[i*tDim+e] * m
					}
				}
			}
		}
		o := linear(h, tSq, tDim, w(name+".to_out.0.weight"), tDim, w(name+".to_out.0.bias"))
		for i, v := range o {
			out[b*tSq*tDim+i] = float32(v)
		}
	}
	return out
}

// runCross runs one attn2 layer with the given streams through the graph
// code (ipContext + attention.applyCross).
func runCross(t *testing.T, x, text []float32, streams []refStream, seed uint64) (got, want []float32) {
	t.Helper()
	r := nn.NewRegistry()
	a := newAttention(r, "attn2", tDim, tKV, tHeads)
	a.CrossIndex = 0
	specs := r.Specs()
	for k := range 2 {
		kn, vn := IPWeightNames(a.Name, k)
		specs = append(specs, nn.Spec{Name: kn, Shape: []int{tDim, tKV}}, nn.Spec{Name: vn, Shape: []int{tDim, tKV}})
	}
	b := testutil.Backend(t)
	store, err := RandomStore(specs, b, seed)
	if err != nil {
		t.Fatal(err)
	}
	w := func(name string) []float32 { return flat(store.GetVariable("/" + name).MustValue()) }
	args := []any{tensors.FromFlatDataAndDimensions(x, tB, tSq, tDim), tensors.FromFlatDataAndDimensions(text, tB, tS, tKV)}
	for _, st := range streams {
		args = append(args, tensors.FromFlatDataAndDimensions(st.tokens, tB, st.n, tT, tKV),
			tensors.FromFlatDataAndDimensions(st.scales, 1, len(st.scales)))
		if st.masks != nil {
			args = append(args, tensors.FromFlatDataAndDimensions(st.masks, st.mb, st.n, tSq))
		}
	}
	exec, err := nn.NewExec("cross", b, store, DefaultOptions(b), func(c nn.Ctx, in []*graph.Node) []*graph.Node {
		var ips []IPStream
		next := 2
		for _, st := range streams {
			s := IPStream{Adapter: st.adapter, Tokens: in[next], Scales: in[next+1]}
			next += 2
			if st.masks != nil {
				s.Masks = map[int]*graph.Node{tSq: in[next]}
				next++
			}
			ips = append(ips, s)
		}
		ctx := newIPContext(ips, c.DType())
		return []*graph.Node{a.applyCross(c, in[0], in[1], ctx.forLayer(0, tSq))}
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Call(args...)
	if err != nil {
		t.Fatal(err)
	}
	return flat(out[0]), referenceCross(w, a.Name, x, text, streams)
}

func assertNear(t *testing.T, got, want []float32, atol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d values, want %d", len(got), len(want))
	}
	worst := 0.0
	for i := range got {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		if !(d <= atol+1e-5*math.Abs(float64(want[i]))) {
			t.Fatalf("at %d: got %g want %g (diff %g)", i, got[i], want[i], d)
		}
		worst = max(worst, d)
	}
	t.Logf("max abs diff %.3g", worst)
}

// TestCrossAttentionIPMatchesReference checks the decoupled cross-attention
// against loops written from diffusers' processor: text only, one unmasked
// adapter with two images (one joint softmax over their tokens), a masked
// adapter (per-image softmax, masks shared by the batch), and two adapters
// at once (unmasked + masked with per-batch masks).
func TestCrossAttentionIPMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := randomValues(rng, tB*tSq*tDim)
	text := randomValues(rng, tB*tS*tKV)
	tokens := randomValues(rng, tB*2*tT*tKV)
	tokens2 := randomValues(rng, tB*2*tT*tKV)
	mask1 := make([]float32, 2*tSq) // image 0 left, image 1 right, with an overshooting value
	for i := range tSq {
		if i < 3 {
			mask1[i] = 1
		} else {
			mask1[tSq+i] = 1
		}
	}
	mask1[2] = 1.16
	maskB := randomValues(rng, tB*2*tSq)
	cases := map[string][]refStream{
		"text only":         nil,
		"unmasked 2 images": {{adapter: 0, tokens: tokens, n: 2, scales: []float32{0.6}}},
		"masked":            {{adapter: 1, tokens: tokens, n: 2, scales: []float32{0.7, 0.4}, masks: mask1, mb: 1}},
		"two adapters": {
			{adapter: 0, tokens: tokens, n: 2, scales: []float32{0.8}},
			{adapter: 1, tokens: tokens2, n: 2, scales: []float32{0.35, -0.5}, masks: maskB, mb: tB},
		},
	}
	for name, streams := range cases {
		t.Run(name, func(t *testing.T) {
			got, want := runCross(t, x, text, streams, 11)
			assertNear(t, got, want, 2e-6)
		})
	}
}

// TestIPScaleIsLinear checks out(s) = out(0) + s·P(A) on one layer: the
// adapter's contribution is a separately computed attention, scaled, added
// before the (affine) output projection.
func TestIPScaleIsLinear(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	x := randomValues(rng, tB*tSq*tDim)
	text := randomValues(rng, tB*tS*tKV)
	tokens := randomValues(rng, tB*tT*tKV)
	at := func(s float32) []float32 {
		got, _ := runCross(t, x, text, []refStream{{adapter: 0, tokens: tokens, n: 1, scales: []float32{s}}}, 12)
		return got
	}
	o0, o1, o3 := at(0), at(1), at(3)
	textOnly, _ := runCross(t, x, text, nil, 12)
	for i := range o0 {
		if o0[i] != textOnly[i] {
			t.Fatalf("scale 0 differs from text-only attention at %d: %g vs %g", i, o0[i], textOnly[i])
		}
	}
	want := make([]float32, len(o0))
	for i := range want {
		want[i] = o0[i] + 3*(o1[i]-o0[i])
	}
	assertNear(t, o3, want, 1e-5)
}

package unet

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestAttentionCapture records self-, text- and image-attention maps: each
// is [B, query tokens, key tokens] with rows summing to 1, and recording
// does not change the noise prediction.
func TestAttentionCapture(t *testing.T) {
	m := ipModel(t)
	u := m.UNet()
	rng := rand.New(rand.NewPCG(6, 6))
	in := randomInputs(u, rng, 2, 12, 20)
	layers := u.CrossAttnLayers()
	tokens := randomTensor(rng, 2, 2, 4, u.crossLayers[0].CrossDim)
	in.IP = []IPInput{
		{Adapter: 0, Tokens: tokens, Scales: constScales(len(layers), 1, 0.6)},
		{Adapter: 1, Tokens: tokens, Scales: constScales(len(layers), 2, 0.6), Masks: onesMasks(t, u, 2, 12, 20)},
	}
	plain := predict(t, m, in)
	first, last := layers[0], layers[len(layers)-1]
	self := first[:len(first)-1] + "1"
	nq, err := u.QueryCounts(12, 20)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{
		self:                    {2, nq[0], nq[0]},
		first:                   {2, nq[0], 7},
		IPMapName(first, 0, -1): {2, nq[0], 8}, // both images' tokens, one softmax
		IPMapName(last, 1, 1):   {2, nq[len(nq)-1], 4},
	}
	var names []string
	for n := range want {
		names = append(names, n)
	}
	out, maps, err := m.PredictWithAttention(in, names)
	if err != nil {
		t.Fatal(err)
	}
	if !bitwiseEqual(flat(out), plain) {
		t.Fatal("capturing attention changed the noise prediction")
	}
	for name, shape := range want {
		got, ok := maps[name]
		if !ok {
			t.Fatalf("map %s missing", name)
		}
		if !slices.Equal(got.Shape().Dimensions, shape) {
			t.Fatalf("map %s has shape %v, want %v", name, got.Shape().Dimensions, shape)
		}
		v := flat(got)
		k := shape[2]
		for r := 0; r < len(v); r += k {
			s := 0.0
			for _, p := range v[r : r+k] {
				s += float64(p)
			}
			if math.Abs(s-1) > 1e-5 {
				t.Fatalf("map %s row %d sums to %g", name, r/k, s)
			}
		}
	}
	if _, _, err := m.PredictWithAttention(in, []string{"no_such_layer.attn2"}); err == nil {
		t.Fatal("an unknown map name was accepted")
	}
}

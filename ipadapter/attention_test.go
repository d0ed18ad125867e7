package ipadapter

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
)

// progressTrace runs req and returns its result and progress reports.
func progressTrace(t *testing.T, p *Pipeline, req Request) (*Result, []Progress) {
	t.Helper()
	var trace []Progress
	req.Progress = func(pr Progress) { trace = append(trace, pr) }
	res, err := p.Generate(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	return res, trace
}

// checkSoftmaxRows fails unless every row of a [B, queries, keys] map
// sums to 1.
func checkSoftmaxRows(t *testing.T, what string, a *Array, b, queries int) {
	t.Helper()
	if len(a.Shape) != 3 || a.Shape[0] != b || a.Shape[1] != queries || len(a.Data) != b*queries*a.Shape[2] {
		t.Fatalf("%s: shape %v with %d values, want [%d, %d, keys]", what, a.Shape, len(a.Data), b, queries)
	}
	k := a.Shape[2]
	for r := 0; r < len(a.Data); r += k {
		s := 0.0
		for _, v := range a.Data[r : r+k] {
			s += float64(v)
		}
		if math.Abs(s-1) > 1e-5 {
			t.Fatalf("%s: row %d sums to %g", what, r/k, s)
		}
	}
}

// TestAttentionMapsFromTheRun captures every attn2 layer at one step of a
// real generation: the maps are softmax rows of the documented shapes,
// from the conditional half; the run's noise predictions and latents are
// bitwise those of the run without capture; capturing compiles one more
// UNet graph and the plain one is never compiled again.
func TestAttentionMapsFromTheRun(t *testing.T) {
	sp := folderPipeline(t)
	call := basicCall(t)
	sp.prepare(t, call)
	req := call.req
	req.NumInferenceSteps, req.OutputType = 3, OutputLatents
	// Without a negative prompt (force_zeros_for_empty_prompt) the
	// unconditional half attends to all-zero text keys, uniformly: the
	// maps kept, the prompt's, are not uniform.
	req.NegativePrompt = Prompt{}
	plainRes, plain := progressTrace(t, sp.p, req)
	compiled := sp.p.Compilations().UNet

	layers, err := sp.p.AttentionLayers()
	if err != nil {
		t.Fatal(err)
	}
	captured := req
	captured.AttentionMaps = &AttentionMaps{Layers: []string{AllAttentionLayers}, Steps: []int{2}}
	res, trace := progressTrace(t, sp.p, captured)
	if got := sp.p.Compilations().UNet; got != compiled+1 {
		t.Errorf("%d UNet compilations after a capturing run, want %d (the plain graph plus the capturing one)", got, compiled+1)
	}
	for i := range trace {
		if !slices.Equal(trace[i].Latents.Data, plain[i].Latents.Data) {
			t.Errorf("step %d: latents differ from the run without capture", i)
		}
		if i > 0 && !slices.Equal(trace[i].NoisePred.Data, plain[i].NoisePred.Data) {
			t.Errorf("step %d: noise prediction differs from the run without capture", i)
		}
		if (trace[i].Attention != nil) != (i == 2) {
			t.Errorf("step %d: attention maps %v, want them at step 2 only", i, trace[i].Attention != nil)
		}
	}
	if !slices.Equal(res.Latents.Data, plainRes.Latents.Data) {
		t.Error("final latents differ from the run without capture")
	}
	if len(res.Attention) != 1 || res.Attention[0] != trace[2].Attention {
		t.Fatalf("Result.Attention has %d steps, want step 2's maps", len(res.Attention))
	}
	st := res.Attention[0]
	if st.Step != 2 || st.Total != 3 || st.Timestep != trace[2].Timestep {
		t.Errorf("maps of step %d of %d at timestep %g, want 2 of 3 at %g", st.Step, st.Total, st.Timestep, trace[2].Timestep)
	}
	if len(st.Layers) != len(layers) {
		t.Fatalf("%d layers captured, want all %d", len(st.Layers), len(layers))
	}
	b := 1
	if r := call.req; r.NumImagesPerPrompt > 1 {
		b = r.NumImagesPerPrompt
	}
	tokens := sp.p.adapters.File(0).Projection.Tokens
	for i, l := range st.Layers {
		if l.Layer != layers[i] || l.Index != i {
			t.Fatalf("layer %d is %s (index %d), want %s in attn_processors order", i, l.Layer, l.Index, layers[i])
		}
		q := l.Height * l.Width
		checkSoftmaxRows(t, l.Layer+" text", l.Text, b, q)
		if l.Text.Shape[2] != 77 {
			t.Errorf("%s: %d text keys, want 77", l.Layer, l.Text.Shape[2])
		}
		if len(l.IP) != 1 || l.IP[0].Adapter != 0 || l.IP[0].Image != -1 {
			t.Fatalf("%s: image maps %+v, want one over adapter 0's images", l.Layer, l.IP)
		}
		checkSoftmaxRows(t, l.Layer+" image", l.IP[0].Map, b, q)
		if k := l.IP[0].Map.Shape[2]; k != tokens {
			t.Errorf("%s: %d image keys, want the adapter's %d tokens", l.Layer, k, tokens)
		}
	}
	if text := st.Layers[0].Text.Data; !slices.ContainsFunc(text, func(v float32) bool { return math.Abs(float64(v)-1.0/77) > 1e-3 }) {
		t.Error("the text map is uniform: it is the unconditional half's")
	}

	// Plain again, and capture at other steps: nothing compiles.
	if again := latentsOf(t, sp.p, req); !slices.Equal(again, plainRes.Latents.Data) {
		t.Error("a plain run after a capturing one differs")
	}
	captured.AttentionMaps = &AttentionMaps{Layers: []string{AllAttentionLayers}}
	res, _ = progressTrace(t, sp.p, captured)
	if len(res.Attention) != 3 {
		t.Errorf("%d steps captured, want every step (3)", len(res.Attention))
	}
	if got := sp.p.Compilations().UNet; got != compiled+1 {
		t.Errorf("%d UNet compilations, want still %d", got, compiled+1)
	}
}

// TestAttentionMapsPerImage: a masked adapter attends to each reference
// image separately, so its maps come one per image, T tokens wide, for
// the layers asked for only.
func TestAttentionMapsPerImage(t *testing.T) {
	var call goldenCall
	for _, c := range golden.Load(t).Group("pipeline") {
		if cc := caseCall(t, c); cc.req.IPAdapterMasks != nil && len(cc.req.IPAdapterImages) == 1 && len(cc.req.IPAdapterImages[0]) == 2 {
			call = cc
			break
		}
	}
	if call.req.IPAdapterMasks == nil {
		t.Skip("no pipeline case with two masked images for one adapter")
	}
	sp := folderPipeline(t)
	sp.prepare(t, call)
	layers, err := sp.p.AttentionLayers()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{layers[len(layers)-1], layers[0]} // any order
	req := call.req
	req.NumInferenceSteps, req.OutputType = 2, OutputLatents
	req.AttentionMaps = &AttentionMaps{Layers: want, Steps: []int{1}}
	res, err := sp.p.Generate(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Attention) != 1 || len(res.Attention[0].Layers) != 2 {
		t.Fatalf("captured %d steps, want 1 with 2 layers", len(res.Attention))
	}
	tokens := sp.p.adapters.File(0).Projection.Tokens
	for i, l := range res.Attention[0].Layers {
		if l.Layer != []string{layers[0], layers[len(layers)-1]}[i] {
			t.Errorf("layer %d is %s: want attn_processors order", i, l.Layer)
		}
		if len(l.IP) != 2 {
			t.Fatalf("%s: %d image maps, want one per image", l.Layer, len(l.IP))
		}
		for img, ip := range l.IP {
			if ip.Adapter != 0 || ip.Image != img || ip.Map.Shape[2] != tokens {
				t.Errorf("%s: map %d is adapter %d image %d with %d keys, want adapter 0 image %d with %d", l.Layer, img, ip.Adapter, ip.Image, ip.Map.Shape[2], img, tokens)
			}
			checkSoftmaxRows(t, l.Layer, ip.Map, 1, l.Height*l.Width)
		}
	}
}

// TestAttentionMapsValidation: bad layer names and steps are refused
// before any model runs.
func TestAttentionMapsValidation(t *testing.T) {
	sp := folderPipeline(t)
	call := basicCall(t)
	sp.prepare(t, call)
	layers, err := sp.p.AttentionLayers()
	if err != nil {
		t.Fatal(err)
	}
	compiled := sp.p.Compilations()
	for _, bad := range []struct {
		maps AttentionMaps
		msg  string
	}{
		{AttentionMaps{}, "name the attn2 layers"},
		{AttentionMaps{Layers: []string{"mid_block.attentions.0.attn2"}}, "no attn2 layer"},
		{AttentionMaps{Layers: []string{AllAttentionLayers, layers[0]}}, "stands alone"},
		{AttentionMaps{Layers: layers[:1], Steps: []int{0}}, "step 0 of"},
		{AttentionMaps{Layers: layers[:1], Steps: []int{call.req.NumInferenceSteps + 1}}, "steps count from 1"},
	} {
		req := call.req
		req.AttentionMaps = &bad.maps
		if _, err := sp.p.Generate(t.Context(), req); err == nil || !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("%+v: error %v, want %q", bad.maps, err, bad.msg)
		}
	}
	if got := sp.p.Compilations(); got.Total() != compiled.Total() {
		t.Errorf("refused requests compiled graphs: %+v, then %+v", compiled, got)
	}
}

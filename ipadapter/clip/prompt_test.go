package clip

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
)

func TestPromptPythonSemantics(t *testing.T) {
	var none Prompt
	if !none.IsNone() || none.given() || Text("").given() || Texts().given() {
		t.Error("None, \"\" and [] must count as not given")
	}
	if !Texts("").given() || !Text("a").given() {
		t.Error(`[""] and "a" must count as given`)
	}
	if got := Text("").or(Text("x")).broadcast(2); !slices.Equal(got, []string{"x", "x"}) {
		t.Errorf(`"" or "x" broadcast to 2 = %q`, got)
	}
	if got := Texts("").or(Text("x")).broadcast(2); !slices.Equal(got, []string{""}) {
		t.Errorf(`[""] or "x" = %q (a list is taken as is)`, got)
	}
	for _, js := range []string{`null`, `"a cat"`, `["a", "b"]`, `[]`} {
		var p Prompt
		if err := json.Unmarshal([]byte(js), &p); err != nil {
			t.Fatal(err)
		}
		back, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var again Prompt
		if err := json.Unmarshal(back, &again); err != nil || again.String() != p.String() {
			t.Errorf("%s → %s → %v", js, back, again)
		}
	}
	var p Prompt
	wantError(t, json.Unmarshal([]byte(`3`), &p), "null, a string or a list")
}

// tinyPromptEncoder is the prompt encoder of the encode_prompt cases'
// pipeline.
func tinyPromptEncoder(t *testing.T) *PromptEncoder {
	t.Helper()
	cases := golden.Load(t).Group("encode_prompt")
	if len(cases) == 0 {
		t.Skip("the fixture set has no encode_prompt cases")
	}
	return promptEncoderFor(t, cases[0])
}

func encodeOrFail(t *testing.T, p *PromptEncoder, req PromptRequest) *PromptEmbeds {
	t.Helper()
	res, err := p.EncodePrompt(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func sameTensor(t *testing.T, what string, a, b *tensors.Tensor) {
	t.Helper()
	x, sx := hostFloat32s(t, a)
	y, sy := hostFloat32s(t, b)
	if !slices.Equal(sx, sy) {
		t.Fatalf("%s: shapes %v and %v", what, sx, sy)
	}
	assertNear(t, what, x, y, 2e-6) // batch composition may change rounding
}

func TestEncodePromptSemantics(t *testing.T) {
	p := tinyPromptEncoder(t)
	cfg := func(r PromptRequest) PromptRequest { r.ClassifierFreeGuidance = true; return r }

	// Without force_zeros_for_empty_prompt, a None negative is "".
	noZeros := *p
	noZeros.ForceZerosForEmptyPrompt = false
	a := encodeOrFail(t, &noZeros, cfg(PromptRequest{Prompt: Text("2 girls")}))
	b := encodeOrFail(t, p, cfg(PromptRequest{Prompt: Text("2 girls"), NegativePrompt: Text("")}))
	sameTensor(t, "None negative without force_zeros", a.NegativePromptEmbeds, b.NegativePromptEmbeds)

	// With it, negative_prompt_2 alone does not prevent zeros.
	z := encodeOrFail(t, p, cfg(PromptRequest{Prompt: Text("2 girls"), NegativePrompt2: Text("ugly")}))
	if v, _ := hostFloat32s(t, z.NegativePooledPromptEmbeds); slices.ContainsFunc(v, func(x float32) bool { return x != 0 }) {
		t.Error("negative_prompt_2 without negative_prompt must still give zeros")
	}

	// A string negative is broadcast to a batch of prompts.
	s := encodeOrFail(t, p, cfg(PromptRequest{Prompt: Texts("a", "b"), NegativePrompt: Text("ugly")}))
	l := encodeOrFail(t, p, cfg(PromptRequest{Prompt: Texts("a", "b"), NegativePrompt: Texts("ugly", "ugly")}))
	sameTensor(t, "broadcast negative", s.NegativePromptEmbeds, l.NegativePromptEmbeds)

	// An empty prompt_2 string falls back to prompt.
	e := encodeOrFail(t, p, PromptRequest{Prompt: Text("a cat"), Prompt2: Text("")})
	f := encodeOrFail(t, p, PromptRequest{Prompt: Text("a cat")})
	sameTensor(t, `prompt_2 ""`, e.PromptEmbeds, f.PromptEmbeds)
	if e.NegativePromptEmbeds != nil {
		t.Error("negative conditioning without classifier-free guidance")
	}

	// A pipeline with only the second pair (the refiner's layout) encodes
	// `prompt` with it, not prompt_2, and is narrower.
	refiner := &PromptEncoder{Tokenizers: p.Tokenizers[1:], Encoders: p.Encoders[1:], ForceZerosForEmptyPrompt: true}
	r := encodeOrFail(t, refiner, PromptRequest{Prompt: Text("a cat"), Prompt2: Text("a dog")})
	r2 := encodeOrFail(t, refiner, PromptRequest{Prompt: Text("a cat")})
	sameTensor(t, "refiner ignores prompt_2", r.PromptEmbeds, r2.PromptEmbeds)
	width := p.Encoders[1].Model.Config.HiddenSize
	if d := r.PromptEmbeds.Shape().Dimensions; d[2] != width {
		t.Errorf("refiner prompt_embeds %v, want width %d", d, width)
	}

	// Long prompts are reported.
	long := ""
	for range 80 {
		long += "bear "
	}
	w := encodeOrFail(t, p, PromptRequest{Prompt: Text(long)})
	if len(w.Warnings) != 2 {
		t.Errorf("warnings %q, want one per tokenizer", w.Warnings)
	}
}

func TestEncodePromptErrors(t *testing.T) {
	p := tinyPromptEncoder(t)
	layers := p.Encoders[0].Model.Config.NumHiddenLayers
	for _, tc := range []struct {
		name string
		req  PromptRequest
		want []string
	}{
		{"no prompt", PromptRequest{}, []string{"a prompt is required"}},
		{"empty list", PromptRequest{Prompt: Texts()}, []string{"prompt list is empty"}},
		{"prompt_2 batch", PromptRequest{Prompt: Texts("a", "b"), Prompt2: Text("c")}, []string{"prompt_2 has 1 prompts, prompt has 2"}},
		{"negative batch", PromptRequest{Prompt: Texts("a", "b"), NegativePrompt: Texts("c"), ClassifierFreeGuidance: true}, []string{"negative_prompt", "batch size 1", "batch size 2"}},
		{"negative_2 batch", PromptRequest{Prompt: Text("a"), NegativePrompt: Text("b"), NegativePrompt2: Texts("c", "d"), ClassifierFreeGuidance: true}, []string{"negative_prompt_2", "batch size 2"}},
		{"clip_skip too deep", PromptRequest{Prompt: Text("a"), ClipSkip: layers}, []string{"out of range"}},
		{"negative clip_skip", PromptRequest{Prompt: Text("a"), ClipSkip: -1}, []string{"clip_skip = -1"}},
		{"negative images", PromptRequest{Prompt: Text("a"), NumImagesPerPrompt: -2}, []string{"num_images_per_prompt = -2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.EncodePrompt(tc.req)
			wantError(t, err, tc.want...)
		})
	}
	t.Run("no projection", func(t *testing.T) {
		firstOnly := &PromptEncoder{Tokenizers: p.Tokenizers[:1], Encoders: p.Encoders[:1]}
		_, err := firstOnly.EncodePrompt(PromptRequest{Prompt: Text("a")})
		wantError(t, err, "no pooled prompt embedding")
	})
}

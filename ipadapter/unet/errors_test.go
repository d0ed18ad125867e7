package unet

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

func wantError(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q does not mention %q", err, p)
		}
	}
}

// TestBadConfigs: every unsupported or inconsistent config is an error
// naming the key.
func TestBadConfigs(t *testing.T) {
	base := tinyConfigJSON(t)
	for _, tc := range []struct {
		keys map[string]any
		want []string
	}{
		{map[string]any{"brand_new_option": 1}, []string{"brand_new_option", "unsupported"}},
		{map[string]any{"num_attention_heads": 8}, []string{"num_attention_heads"}},
		{map[string]any{"class_embed_type": "timestep"}, []string{"class_embed_type", "timestep"}},
		{map[string]any{"addition_embed_type": "text_image"}, []string{"addition_embed_type", "text_image"}},
		{map[string]any{"resnet_time_scale_shift": "scale_shift"}, []string{"resnet_time_scale_shift"}},
		{map[string]any{"time_embedding_type": "fourier"}, []string{"time_embedding_type"}},
		{map[string]any{"act_fn": "gelu"}, []string{"act_fn", "gelu"}},
		{map[string]any{"only_cross_attention": true}, []string{"only_cross_attention"}},
		{map[string]any{"dual_cross_attention": true}, []string{"dual_cross_attention"}},
		{map[string]any{"encoder_hid_dim_type": "ip_image_proj", "encoder_hid_dim": 24}, []string{"encoder_hid_dim_type", "encoder_hid_dim"}},
		{map[string]any{"attention_type": "gated"}, []string{"attention_type"}},
		{map[string]any{"mid_block_type": "UNetMidBlock2DSimpleCrossAttn"}, []string{"mid_block_type"}},
		{map[string]any{"down_block_types": []string{"DownBlock2D", "AttnDownBlock2D"}}, []string{"down_block_types[1]", "AttnDownBlock2D"}},
		{map[string]any{"up_block_types": []string{"UpBlock2D"}}, []string{"up_block_types"}},
		{map[string]any{"block_out_channels": []int{32, 64, 64}}, []string{"block_out_channels", "down_block_types"}},
		{map[string]any{"attention_head_dim": []int{2, 4, 8}}, []string{"attention_head_dim", "3 entries"}},
		{map[string]any{"layers_per_block": []int{2}}, []string{"layers_per_block"}},
		{map[string]any{"attention_head_dim": []int{2, 5}}, []string{"attention_head_dim[1]", "64"}},
		{map[string]any{"norm_num_groups": 5}, []string{"norm_num_groups", "dividing"}},
		{map[string]any{"transformer_layers_per_block": []any{1, []int{1, 2}}}, []string{"reverse_transformer_layers_per_block"}},
		{map[string]any{"conv_in_kernel": 2}, []string{"conv_in_kernel"}},
		{map[string]any{"addition_time_embed_dim": nil}, []string{"addition_time_embed_dim"}},
		{map[string]any{"in_channels": 4.5}, []string{"in_channels"}},
		{map[string]any{"_class_name": "UNet2DModel"}, []string{"_class_name"}},
	} {
		u, err := buildJSON(withKeys(t, base, tc.keys))
		if err == nil {
			t.Errorf("%v: accepted (%d params)", tc.keys, u.NumParameters())
			continue
		}
		for _, p := range tc.want {
			if !strings.Contains(err.Error(), p) {
				t.Errorf("%v: error %q does not mention %q", tc.keys, err, p)
			}
		}
	}
	if _, err := buildJSON([]byte(`{"norm_num_groups": null, "block_out_channels": [32, 64], "down_block_types": ["DownBlock2D", "DownBlock2D"], "up_block_types": ["UpBlock2D", "UpBlock2D"]}`)); err == nil || !strings.Contains(err.Error(), "norm_num_groups") {
		t.Errorf("null norm_num_groups: %v", err)
	}
	if _, err := ParseConfig([]byte(`{"in_channels": `)); err == nil {
		t.Error("truncated JSON accepted")
	}
}

// TestBadInputs: wrong shapes, dtypes and IP streams are errors saying what
// is wrong, from Predict (host) and from graph building (Apply), never panics.
func TestBadInputs(t *testing.T) {
	m := ipModel(t)
	u := m.UNet()
	rng := rand.New(rand.NewPCG(8, 8))
	good := randomInputs(u, rng, 2, 16, 16)
	layers := len(u.CrossAttnLayers())
	tokens := randomTensor(rng, 2, 2, 4, 64)
	masks := onesMasks(t, u, 2, 16, 16)
	edit := func(f func(in *Inputs)) Inputs {
		in := good
		f(&in)
		return in
	}
	for _, tc := range []struct {
		name string
		in   Inputs
		want []string
	}{
		{"sample channels", edit(func(in *Inputs) { in.Sample = randomTensor(rng, 2, 3, 16, 16) }), []string{"3 channels", "in_channels"}},
		{"sample rank", edit(func(in *Inputs) { in.Sample = randomTensor(rng, 2, 4, 16) }), []string{"sample has shape"}},
		{"empty sample", edit(func(in *Inputs) { in.Sample = randomTensor(rng, 2, 4, 0, 16) }), []string{"must be positive"}},
		{"empty batch", edit(func(in *Inputs) { in.Sample = randomTensor(rng, 0, 4, 16, 16) }), []string{"batch is empty"}},
		{"ehs width", edit(func(in *Inputs) { in.EncoderHiddenStates = randomTensor(rng, 2, 77, 32) }), []string{"32 wide", "cross_attention_dim"}},
		{"ehs batch", edit(func(in *Inputs) { in.EncoderHiddenStates = randomTensor(rng, 1, 77, 64) }), []string{"encoder_hidden_states has shape"}},
		{"text_embeds width", edit(func(in *Inputs) { in.TextEmbeds = randomTensor(rng, 2, 31) }), []string{"projection_class_embeddings_input_dim", "80"}},
		{"time_ids count", edit(func(in *Inputs) { in.TimeIDs = randomTensor(rng, 2, 5) }), []string{"5 time_ids"}},
		{"time_ids batch", edit(func(in *Inputs) { in.TimeIDs = randomTensor(rng, 1, 6) }), []string{"time_ids has shape"}},
		{"missing text_embeds", edit(func(in *Inputs) { in.TextEmbeds = nil }), []string{"text_embeds missing"}},
		{"timestep shape", edit(func(in *Inputs) { in.Timestep = randomTensor(rng, 3) }), []string{"timestep has shape"}},
		{"timestep dtype", edit(func(in *Inputs) { in.Timestep = tensors.FromScalar(true) }), []string{"timestep has dtype"}},
		{"float64 sample", edit(func(in *Inputs) {
			in.Sample = tensors.FromFlatDataAndDimensions(make([]float64, 2*4*16*16), 2, 4, 16, 16)
		}), []string{"sample is Float64"}},
		{"adapter not loaded", edit(func(in *Inputs) {
			in.IP = []IPInput{{Adapter: 5, Tokens: tokens, Scales: constScales(layers, 1, 1)}}
		}), []string{"IP-Adapter 5 is not loaded"}},
		{"adapter twice", edit(func(in *Inputs) {
			s := IPInput{Adapter: 0, Tokens: tokens, Scales: constScales(layers, 1, 1)}
			in.IP = []IPInput{s, s}
		}), []string{"given twice"}},
		{"token width", edit(func(in *Inputs) {
			in.IP = []IPInput{{Adapter: 0, Tokens: randomTensor(rng, 2, 4, 24), Scales: constScales(layers, 1, 1)}}
		}), []string{"24 wide"}},
		{"token batch", edit(func(in *Inputs) {
			in.IP = []IPInput{{Adapter: 0, Tokens: randomTensor(rng, 1, 4, 64), Scales: constScales(layers, 1, 1)}}
		}), []string{"batch 1"}},
		{"scales per image without masks", edit(func(in *Inputs) {
			in.IP = []IPInput{{Adapter: 0, Tokens: tokens, Scales: constScales(layers, 2, 1)}}
		}), []string{"scales have shape"}},
		{"scales rows", edit(func(in *Inputs) {
			in.IP = []IPInput{{Adapter: 0, Tokens: tokens, Scales: constScales(layers-1, 1, 1)}}
		}), []string{"scales have shape", "cross-attention layers"}},
		{"masked rank-3 tokens", edit(func(in *Inputs) {
			in.IP = []IPInput{{Adapter: 1, Tokens: randomTensor(rng, 2, 4, 64), Scales: constScales(layers, 2, 1), Masks: masks}}
		}), []string{"masked streams need tokens"}},
		{"mask for another size", edit(func(in *Inputs) {
			in.IP = []IPInput{{Adapter: 1, Tokens: tokens, Scales: constScales(layers, 2, 1), Masks: onesMasks(t, u, 2, 12, 20)}}
		}), []string{"query counts"}},
		{"mask shape", edit(func(in *Inputs) {
			bad := map[int]*tensors.Tensor{}
			for q := range masks {
				bad[q] = randomTensor(rng, 1, 1, q)
			}
			in.IP = []IPInput{{Adapter: 1, Tokens: tokens, Scales: constScales(layers, 2, 1), Masks: bad}}
		}), []string{"mask for"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.Predict(tc.in)
			wantError(t, err, tc.want...)
		})
	}
}

// TestApplyRejectsBadShapes: graph-level callers (the adapter package's
// own graphs) get the same checks as an error from nn.Exec.Call.
func TestApplyRejectsBadShapes(t *testing.T) {
	m := loadModel(t, tinyUNetDir(t))
	u := m.UNet()
	b := testutil.Backend(t)
	e, err := nn.NewExec("bad", b, m.Store(), DefaultOptions(b), func(c nn.Ctx, in []*graph.Node) []*graph.Node {
		return []*graph.Node{u.Apply(c, GraphInputs{Sample: in[0], Timestep: in[1], EncoderHiddenStates: in[2], TextEmbeds: in[3], TimeIDs: in[4]})}
	})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	_, err = e.Call(randomTensor(rng, 2, 4, 16, 16), tensors.FromScalar(float32(1)), randomTensor(rng, 2, 77, 48),
		randomTensor(rng, 2, 32), randomTensor(rng, 2, 6))
	wantError(t, err, "48 wide")
}

func TestLoadErrors(t *testing.T) {
	b := testutil.Backend(t)
	dir := t.TempDir()
	if _, err := Load(dir, b, DefaultOptions(b)); err == nil {
		t.Fatal("a folder without config.json loaded")
	}
	// The fixture weights with a config for other channel counts.
	cfg := withKeys(t, tinyConfigJSON(t), map[string]any{"block_out_channels": []int{32, 48}, "attention_head_dim": []int{2, 4}})
	if err := os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(dir, b, DefaultOptions(b))
	wantError(t, err, "no weights")
	data, err := os.ReadFile(filepath.Join(tinyUNetDir(t), WeightFiles[0]))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, WeightFiles[0]), data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(dir, b, DefaultOptions(b))
	wantError(t, err, "does not match the model's config")
}

package unet

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
)

// tinyConfigJSON is the fixture UNet's config.json.
func tinyConfigJSON(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(tinyUNetDir(t), "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// withKeys returns the config JSON with some keys replaced (nil deletes).
func withKeys(t *testing.T, data []byte, keys map[string]any) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range keys {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func buildJSON(data []byte) (*UNet, error) {
	cfg, err := ParseConfig(data)
	if err != nil {
		return nil, err
	}
	return Build(cfg)
}

// countLayers returns the transformer layers of every Transformer2DModel
// as "block.attention=layers".
func countLayers(u *UNet) []string {
	var out []string
	add := func(prefix string, ts []transformer2D) {
		for j, tr := range ts {
			out = append(out, prefix+"."+string(rune('0'+j))+"="+string(rune('0'+len(tr.Blocks))))
		}
	}
	for i, b := range u.down {
		add("down"+string(rune('0'+i)), b.Attns)
	}
	for i, b := range u.up {
		add("up"+string(rune('0'+i)), b.Attns)
	}
	if u.mid != nil {
		add("mid", u.mid.Attns)
	}
	return out
}

func TestConfigForms(t *testing.T) {
	base := tinyConfigJSON(t)
	three := map[string]any{
		"block_out_channels":           []int{16, 32, 48},
		"down_block_types":             []string{"CrossAttnDownBlock2D", "DownBlock2D", "CrossAttnDownBlock2D"},
		"up_block_types":               []string{"CrossAttnUpBlock2D", "UpBlock2D", "CrossAttnUpBlock2D"},
		"attention_head_dim":           []int{1, 4, 3},
		"norm_num_groups":              8,
		"layers_per_block":             1,
		"transformer_layers_per_block": []int{1, 2, 3},
	}
	for _, tc := range []struct {
		name string
		keys map[string]any
		want []string
	}{
		{"fixture", nil, []string{"down1.0=2", "down1.1=2", "up0.0=2", "up0.1=2", "up0.2=2", "mid.0=2"}},
		{"int layers", map[string]any{"transformer_layers_per_block": 3}, []string{"down1.0=3", "down1.1=3", "up0.0=3", "up0.1=3", "up0.2=3", "mid.0=3"}},
		{"int heads", map[string]any{"attention_head_dim": 4}, []string{"down1.0=2", "down1.1=2", "up0.0=2", "up0.1=2", "up0.2=2", "mid.0=2"}},
		{"asymmetric", map[string]any{
			"transformer_layers_per_block":         []any{1, []int{2, 3}},
			"reverse_transformer_layers_per_block": []any{[]int{4, 5, 6}, 1},
		}, []string{"down1.0=2", "down1.1=3", "up0.0=4", "up0.1=5", "up0.2=6", "mid.0=2"}},
		{"three levels, kinds mixed", three, []string{"down0.0=1", "down2.0=3", "up0.0=3", "up0.1=3", "up2.0=1", "up2.1=1", "mid.0=3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := buildJSON(withKeys(t, base, tc.keys))
			if err != nil {
				t.Fatal(err)
			}
			if got := countLayers(u); !slices.Equal(got, tc.want) {
				t.Fatalf("transformer layers %v, want %v", got, tc.want)
			}
			// Heads: the config value is the head count of every attention.
			for _, l := range u.CrossAttnLayerInfo() {
				if l.Hidden%l.Heads != 0 {
					t.Fatalf("%s: %d heads for %d channels", l.Name, l.Heads, l.Hidden)
				}
			}
		})
	}
}

// TestOtherConfigsRun runs random-weight UNets of other shapes end to end:
// three levels with both block kinds in unusual places and per-level head
// counts, odd latent sizes (upsample_size), and a config without text_time.
func TestOtherConfigsRun(t *testing.T) {
	base := tinyConfigJSON(t)
	b := testutil.Backend(t)
	for _, tc := range []struct {
		name string
		keys map[string]any
		h, w int
	}{
		{"three levels", map[string]any{
			"block_out_channels": []int{16, 24, 32}, "norm_num_groups": 8, "layers_per_block": []int{1, 2, 1},
			"down_block_types":   []string{"CrossAttnDownBlock2D", "DownBlock2D", "CrossAttnDownBlock2D"},
			"up_block_types":     []string{"CrossAttnUpBlock2D", "UpBlock2D", "CrossAttnUpBlock2D"},
			"attention_head_dim": []int{2, 3, 8}, "transformer_layers_per_block": []int{1, 1, 2},
		}, 13, 7},
		{"no text_time", map[string]any{"addition_embed_type": nil, "projection_class_embeddings_input_dim": nil}, 5, 9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseConfig(withKeys(t, base, tc.keys))
			if err != nil {
				t.Fatal(err)
			}
			m, err := NewRandom(cfg, b, DefaultOptions(b), 1)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			in := randomInputs(m.UNet(), rand.New(rand.NewPCG(1, 1)), 2, tc.h, tc.w)
			out, err := m.Predict(in)
			if err != nil {
				t.Fatal(err)
			}
			if want := []int{2, cfg.OutChannels, tc.h, tc.w}; !slices.Equal(out.Shape().Dimensions, want) {
				t.Fatalf("output %v, want %v", out.Shape().Dimensions, want)
			}
			for i, v := range flat(out) {
				if v != v {
					t.Fatalf("NaN at %d", i)
				}
			}
		})
	}
}

// TestConvProjectionEqualsLinear: use_linear_projection false (1×1 convs
// before flattening) computes the same as true with the same weights.
func TestConvProjectionEqualsLinear(t *testing.T) {
	base := tinyConfigJSON(t)
	b := testutil.Backend(t)
	cfgLinear, err := ParseConfig(base)
	if err != nil {
		t.Fatal(err)
	}
	cfgConv, err := ParseConfig(withKeys(t, base, map[string]any{"use_linear_projection": false}))
	if err != nil {
		t.Fatal(err)
	}
	lin, err := NewRandom(cfgLinear, b, DefaultOptions(b), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer lin.Close()
	uConv, err := Build(cfgConv)
	if err != nil {
		t.Fatal(err)
	}
	store, err := RandomStore(nil, b, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range uConv.Specs() {
		v := lin.Store().GetVariable("/" + s.Name).MustValue()
		if len(s.Shape) == 4 && strings.Contains(s.Name, "proj_") {
			v = reshapeTensor(t, v, s.Shape...)
		}
		if _, err := store.CreateVariable("/"+s.Name, v); err != nil {
			t.Fatal(err)
		}
	}
	conv := NewFromStore(uConv, store, b, DefaultOptions(b))
	defer conv.Close()
	in := randomInputs(lin.UNet(), rand.New(rand.NewPCG(2, 2)), 1, 8, 8)
	assertNear(t, predict(t, conv, in), predict(t, lin, in), 2e-5)
}

package clip

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// smallTextEncoder loads a random small text model whose config has the
// given eos_token_id.
func smallTextEncoder(t *testing.T, eos int, rename func(string) string, extra ...weights.Named) *TextEncoder {
	t.Helper()
	config := fmt.Sprintf(smallTextConfig, eos)
	cfg, err := ParseTextConfig([]byte(config))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewTextModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	named := append(randomNamed(m.Specs(), 11, rename), extra...)
	enc, err := LoadTextEncoder(writeModelFolder(t, config, named), testutil.Backend(t), nn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(enc.Close)
	return enc
}

func TestPoolingPositionRules(t *testing.T) {
	// 49 is the largest id of the small vocabulary; 30 plays the
	// end-of-text token of a config with the new rule.
	rows := [][]int{
		{0, 7, 30, 12, 49, 1}, // legacy: argmax → 4; new: first 30 → 2
		{0, 49, 30, 49, 30, 1},
		{0, 5, 6, 7, 8, 9}, // new rule without any eos → 0 (argmax of all-false)
	}
	for _, tc := range []struct {
		eos  int
		want []int
	}{{2, []int{4, 1, 5}}, {30, []int{2, 2, 0}}} {
		enc := smallTextEncoder(t, tc.eos, nil)
		for i, row := range rows {
			if got := enc.Model.Config.PoolingPosition(row); got != tc.want[i] {
				t.Errorf("eos %d, row %v: position %d, want %d", tc.eos, row, got, tc.want[i])
			}
		}
		res, err := enc.Encode(rows, TextOutputs{LastHiddenState: true, Pooled: true})
		if err != nil {
			t.Fatal(err)
		}
		last, _ := hostFloat32s(t, res.LastHiddenState)
		pooled, _ := hostFloat32s(t, res.Pooled)
		d := enc.Model.Config.HiddenSize
		for b, pos := range tc.want {
			row := last[(b*len(rows[0])+pos)*d:][:d]
			if !slices.Equal(pooled[b*d:(b+1)*d], row) {
				t.Errorf("eos %d, row %d: pooled is not last_hidden_state at position %d", tc.eos, b, pos)
			}
		}
	}
}

// TestCheckpointNamingVariants loads the same weights saved with
// transformers' usual names, without the "text_model." prefix (recent
// transformers) and with the legacy position_ids buffer, and expects the
// same outputs.
func TestCheckpointNamingVariants(t *testing.T) {
	ids := [][]int{{0, 3, 4, 49, 1, 1}}
	want := TextOutputs{HiddenStates: []int{1}, LastHiddenState: true, TextEmbeds: true}
	results := map[string]*TextResult{}
	posIDs := weights.Named{Name: "text_model.embeddings.position_ids", DType: dtypes.Int64, Shape: []int{1, 6}, Data: make([]byte, 48)}
	for name, enc := range map[string]*TextEncoder{
		"transformers":      smallTextEncoder(t, 2, nil),
		"flat":              smallTextEncoder(t, 2, func(n string) string { return strings.TrimPrefix(n, "text_model.") }),
		"with position_ids": smallTextEncoder(t, 2, nil, posIDs),
	} {
		res, err := enc.Encode(ids, want)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		results[name] = res
	}
	ref := results["transformers"]
	for name, res := range results {
		for i, pair := range [][2]*tensors.Tensor{{res.HiddenStates[0], ref.HiddenStates[0]}, {res.LastHiddenState, ref.LastHiddenState}, {res.TextEmbeds, ref.TextEmbeds}} {
			a, _ := hostFloat32s(t, pair[0])
			b, _ := hostFloat32s(t, pair[1])
			if !slices.Equal(a, b) {
				t.Errorf("%s: output %d differs from the prefixed checkpoint's", name, i)
			}
		}
	}
}

// TestOnlyNeededLayersAreBuilt builds hidden_states[-2] over a store that
// lacks the last layer and the final layer norm: the graph must not touch
// them. It also checks that the penultimate state equals the one computed
// next to the full outputs, and that graphs are cached per selection.
func TestOnlyNeededLayersAreBuilt(t *testing.T) {
	enc := smallTextEncoder(t, 2, nil)
	m := enc.Model
	var partial []nn.Spec
	for _, s := range m.Specs() {
		if !strings.Contains(s.Name, "layers.1.") && !strings.Contains(s.Name, "final_layer_norm") && !strings.Contains(s.Name, "projection") {
			partial = append(partial, s)
		}
	}
	cfg := m.Config
	named := randomNamed(m.Specs(), 11, nil) // the same draws as smallTextEncoder's
	src := writeModelFolder(t, fmt.Sprintf(smallTextConfig, 2), named)
	file, err := weights.OpenSafetensors(src + "/" + WeightsFile)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	store, _, err := nn.Load(partial, file, testutil.Backend(t), dtypes.Float32)
	if err != nil {
		t.Fatal(err)
	}
	exec, err := nn.NewExec("partial", testutil.Backend(t), store, nn.DefaultOptions(testutil.Backend(t)), func(c nn.Ctx, in []*graph.Node) []*graph.Node {
		return m.Apply(c, in[0], TextOutputs{HiddenStates: []int{-2}}).HiddenStates
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := [][]int32{{0, 3, 4, 49, 1, 1}}
	out, err := exec.Call(ids)
	if err != nil {
		t.Fatalf("hidden_states[-2] needed more than %d layers: %v", cfg.NumHiddenLayers-1, err)
	}
	got := tensors.MustCopyFlatData[float32](out[0])

	full, err := enc.Encode([][]int{{0, 3, 4, 49, 1, 1}}, TextOutputs{HiddenStates: []int{-2}, TextEmbeds: true})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := hostFloat32s(t, full.HiddenStates[0])
	if !slices.Equal(got, want) {
		t.Error("hidden_states[-2] differs between the partial and the full graph")
	}

	before := enc.Compilations()
	for _, sel := range []TextOutputs{{HiddenStates: []int{-2}, TextEmbeds: true}, {HiddenStates: []int{cfg.NumHiddenLayers - 1}, TextEmbeds: true}} {
		if _, err := enc.Encode([][]int{{0, 5, 49, 1, 1, 1}}, sel); err != nil {
			t.Fatal(err)
		}
	}
	if n := enc.Compilations() - before; n != 0 {
		t.Errorf("%d recompilations for an already compiled selection", n)
	}
}

// TestBatchRowsAreIndependent checks that encoding a batch gives each
// row what encoding it alone gives (prompt encoding batches positive and
// negative prompts together).
func TestBatchRowsAreIndependent(t *testing.T) {
	enc := smallTextEncoder(t, 2, nil)
	rows := [][]int{{0, 3, 4, 49, 1, 1}, {0, 9, 49, 1, 1, 1}}
	want := TextOutputs{HiddenStates: []int{-2}, TextEmbeds: true}
	both, err := enc.Encode(rows, want)
	if err != nil {
		t.Fatal(err)
	}
	hs, _ := hostFloat32s(t, both.HiddenStates[0])
	emb, _ := hostFloat32s(t, both.TextEmbeds)
	for b, row := range rows {
		one, err := enc.Encode([][]int{row}, want)
		if err != nil {
			t.Fatal(err)
		}
		h1, _ := hostFloat32s(t, one.HiddenStates[0])
		e1, _ := hostFloat32s(t, one.TextEmbeds)
		assertNear(t, fmt.Sprintf("row %d hidden state", b), hs[b*len(h1):(b+1)*len(h1)], h1, 1e-6)
		assertNear(t, fmt.Sprintf("row %d text_embeds", b), emb[b*len(e1):(b+1)*len(e1)], e1, 1e-6)
	}
}

func assertNear(t *testing.T, what string, got, want []float32, atol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if d := float64(got[i] - want[i]); d > atol || d < -atol {
			t.Fatalf("%s: at %d got %g want %g", what, i, got[i], want[i])
		}
	}
}

func TestEncodeTensorMatchesEncode(t *testing.T) {
	enc := smallTextEncoder(t, 2, nil)
	rows := [][]int{{0, 3, 4, 49, 1, 1}}
	want := TextOutputs{Pooled: true}
	a, err := enc.Encode(rows, want)
	if err != nil {
		t.Fatal(err)
	}
	b, err := enc.EncodeTensor(tensors.FromValue([][]int64{{0, 3, 4, 49, 1, 1}}), want)
	if err != nil {
		t.Fatal(err)
	}
	sameTensor(t, "int64 tensor ids", a.Pooled, b.Pooled)
	_, err = enc.EncodeTensor(tensors.FromValue([][]int64{{0, 1 << 40}}), want)
	wantError(t, err, "outside the vocabulary")
}

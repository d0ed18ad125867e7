package vae

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// TestLegacyAttentionNames loads a checkpoint whose mid-block attention
// uses the old names (query, key, value, proj_attn) and checks it decodes
// exactly as the same weights under the current names.
func TestLegacyAttentionNames(t *testing.T) {
	cfg := smallConfig()
	arch, err := NewAutoencoderKL(cfg)
	if err != nil {
		t.Fatal(err)
	}
	legacy := strings.NewReplacer(".to_q.", ".query.", ".to_k.", ".key.", ".to_v.", ".value.", ".to_out.0.", ".proj_attn.")
	var renamed int
	old := writeRandomWeights(t, arch.Specs(), func(name string) string {
		if n := legacy.Replace(name); n != name {
			renamed++
			return n
		}
		return name
	})
	if renamed != 16 { // 4 projections × weight and bias × encoder and decoder
		t.Fatalf("renamed %d tensors, want 16", renamed)
	}
	current := writeRandomWeights(t, arch.Specs(), nil) // same seed, same values
	b := testutil.Backend(t)
	x, _ := randomTensor(5, 1, 4, 2, 3)
	var outs [][]float32
	for _, src := range []weights.Source{old, current} {
		m, err := New(cfg, src, b, cpuOptions(b))
		if err != nil {
			t.Fatal(err)
		}
		y, err := m.Decode(x)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, values(t, y))
	}
	for i := range outs[0] {
		if outs[0][i] != outs[1][i] {
			t.Fatalf("value %d: legacy names give %v, current names %v", i, outs[0][i], outs[1][i])
		}
	}
}

func TestCheckpointMismatch(t *testing.T) {
	cfg := smallConfig()
	arch, _ := NewAutoencoderKL(cfg)
	b := testutil.Backend(t)

	noQuant := cfg
	noQuant.UseQuantConv = false
	if _, err := New(noQuant, writeRandomWeights(t, arch.Specs(), nil), b, cpuOptions(b)); err == nil ||
		!strings.Contains(err.Error(), "does not use ([quant_conv.bias quant_conv.weight])") {
		t.Errorf("extra tensors: %v", err)
	}
	wider := cfg
	wider.LatentChannels = 8
	if _, err := New(wider, writeRandomWeights(t, arch.Specs(), nil), b, cpuOptions(b)); err == nil ||
		!strings.Contains(err.Error(), "shapes differ") {
		t.Errorf("wrong shapes: %v", err)
	}
	withMidAttention := writeRandomWeights(t, arch.Specs(), nil)
	noAttn := cfg
	noAttn.MidBlockAddAttention = false
	if _, err := New(noAttn, withMidAttention, b, cpuOptions(b)); err == nil || !strings.Contains(err.Error(), "attentions.0") {
		t.Errorf("attention weights without attention: %v", err)
	}
	if _, err := New(cfg, withMidAttention, nil, cpuOptions(b)); err == nil {
		t.Error("nil backend accepted")
	}
	bad := cfg
	bad.NormNumGroups = 3
	if _, err := New(bad, withMidAttention, b, cpuOptions(b)); err == nil || !strings.Contains(err.Error(), "norm_num_groups 3") {
		t.Errorf("invalid config: %v", err)
	}
}

// TestLoadFolder loads a folder with only the fp16 variant file and one
// with no weights at all.
func TestLoadFolder(t *testing.T) {
	cases := golden.Load(t).Group("vae")
	if len(cases) == 0 {
		t.Skip("no vae cases")
	}
	fixture, err := cases[0].Component("vae")
	if err != nil {
		t.Fatal(err)
	}
	cfgJSON, err := os.ReadFile(filepath.Join(fixture, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	b := testutil.Backend(t)
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "config.json"), cfgJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(empty, b, cpuOptions(b)); err == nil || !strings.Contains(err.Error(), "no weights in") {
		t.Errorf("folder without weights: %v", err)
	}

	// The fixture weights are float16-exact, so an F16 copy is lossless.
	src, err := weights.OpenSafetensors(filepath.Join(fixture, WeightFiles[0]))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var named []weights.Named
	for _, info := range src.Infos() {
		t16, err := weights.Tensor(src, info.Name, nil, dtypes.Float16)
		if err != nil {
			t.Fatal(err)
		}
		n, err := weights.NamedFromTensor(info.Name, t16)
		if err != nil {
			t.Fatal(err)
		}
		named = append(named, n)
	}
	fp16 := t.TempDir()
	if err := os.WriteFile(filepath.Join(fp16, "config.json"), cfgJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := weights.WriteSafetensors(filepath.Join(fp16, WeightFiles[1]), named, nil); err != nil {
		t.Fatal(err)
	}
	m16, err := Load(fp16, b, cpuOptions(b))
	if err != nil {
		t.Fatal(err)
	}
	m32, err := Load(fixture, b, cpuOptions(b))
	if err != nil {
		t.Fatal(err)
	}
	x, _ := randomTensor(9, 1, 4, 2, 2)
	var outs [][]float32
	for _, m := range []*Model{m16, m32} {
		y, err := m.Decode(x)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, tensors.MustCopyFlatData[float32](y))
	}
	for i := range outs[0] {
		if outs[0][i] != outs[1][i] {
			t.Fatalf("value %d: fp16 file gives %v, fp32 file %v", i, outs[0][i], outs[1][i])
		}
	}
}

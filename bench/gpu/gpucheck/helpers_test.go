package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestXLADumpDir(t *testing.T) {
	if got := xlaDumpDir("--xla_dump_to=/tmp/d --xla_dump_hlo_as_text"); got != "/tmp/d" {
		t.Errorf("got %q", got)
	}
	if got := xlaDumpDir("--xla_gpu_cuda_data_dir=/x"); got != "" {
		t.Errorf("got %q, want none", got)
	}
}

func TestCuDNNFMHAInDump(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("module_0003.gpucheck_attn_cross77_f16_fused_1.sm_9.0_gpu_after_optimizations.txt", `custom-call(...), custom_call_target="__cudnn$fmhaSoftmax"`)
	write("module_0004.gpucheck_attn_self4096_f16_fused_1.sm_9.0_gpu_after_optimizations.txt", "fusion(...)")
	if found, ok := cudnnFMHAInDump(dir, "gpucheck_attn_cross77_f16_fused"); !found || !ok {
		t.Errorf("cross77: found=%v ok=%v, want both true", found, ok)
	}
	if found, ok := cudnnFMHAInDump(dir, "gpucheck_attn_self4096_f16_fused"); found || !ok {
		t.Errorf("self4096: found=%v ok=%v, want false, true", found, ok)
	}
	if _, ok := cudnnFMHAInDump(dir, "gpucheck_attn_cross93_f16_fused"); ok {
		t.Error("no file for cross93: ok must be false")
	}
}

func TestHostMatMul(t *testing.T) {
	a := []float32{1, 2, 3, 4}
	b := []float32{5, 6, 7, 8}
	if got, want := hostMatMul(a, b, 2), []float64{19, 22, 43, 50}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestAttnCasesOrder(t *testing.T) {
	o := options{batch: 2, heads: 10, seq: 4096, headDim: 64}
	var names []string
	for _, c := range attnCases(o, []int{77, 81, 93}) {
		names = append(names, c.Name)
	}
	if want := []string{"self4096", "cross77", "cross81", "cross93"}; !slices.Equal(names, want) {
		t.Errorf("got %v, want %v", names, want)
	}
}

func TestNumJSON(t *testing.T) {
	rec := Record{Check: "x", MaxAbs: ptr(math.NaN()), RelL2: ptr(0.5)}
	data, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(data); !strings.Contains(s, `"max_abs_err":"NaN"`) || !strings.Contains(s, `"rel_l2_err":0.5`) {
		t.Errorf("got %s", s)
	}
}

func TestParseInts(t *testing.T) {
	got, err := parseInts("77, 81,93,")
	if err != nil || !slices.Equal(got, []int{77, 81, 93}) {
		t.Errorf("got %v, %v", got, err)
	}
	if _, err := parseInts("7,-1"); err == nil {
		t.Error("want an error for -1")
	}
}

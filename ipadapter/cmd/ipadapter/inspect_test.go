package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// TestInspect: one line per tensor (name, dtype, shape, in the file's
// order), the count, the format and the detected kind, for the layouts
// and both file formats.
func TestInspect(t *testing.T) {
	f := fx(t)
	for _, tc := range []struct {
		path, format string
		kind         []string
	}{
		{f.unetWeights, "safetensors", []string{"diffusers UNet", "cross-attention dim 64", "SDXL text_time"}},
		{f.singleFile, "safetensors", []string{"SGM single-file SDXL checkpoint", "unet 428", "vae 244"}},
		{f.plain, "safetensors", []string{"IP-Adapter plain", "4 tokens", "image_embeds, 24 wide", "needs an image encoder (CLIPVisionModelWithProjection) with projection_dim 24"}},
		{f.plainBin, "PyTorch zip", []string{"IP-Adapter plain", "4 tokens"}},
		{f.plus, "safetensors", []string{"IP-Adapter plus", "16 tokens", "hidden_states[-2], 32 wide", "needs an image encoder with hidden size 32"}},
		{f.plusBin, "PyTorch zip", []string{"IP-Adapter plus", "16 tokens"}},
		{f.model + "/vae/diffusion_pytorch_model.safetensors", "safetensors", []string{"diffusers VAE"}},
		{f.model + "/text_encoder_2/model.safetensors", "safetensors", []string{"CLIPTextModelWithProjection", "4 layers"}},
		{f.model + "/image_encoder/model.safetensors", "safetensors", []string{"vision encoder (CLIPVisionModelWithProjection)", "projection 24"}},
	} {
		src, err := weights.Open(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		infos := src.Infos()
		src.Close()

		stdout := runOK(t, "inspect", tc.path)
		lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
		if len(lines) != len(infos)+3 {
			t.Errorf("%s: %d lines, want %d tensors + 3", tc.path, len(lines), len(infos))
			continue
		}
		for i, info := range infos {
			if got := strings.Fields(lines[i]); len(got) < 2 || got[0] != info.Name || got[1] != info.DType.String() || !strings.HasSuffix(lines[i], fmt.Sprint(info.Shape)) {
				t.Errorf("%s: line %q, want %s %s %v", tc.path, lines[i], info.Name, info.DType, info.Shape)
				break
			}
		}
		summary := strings.Join(lines[len(infos):], "\n")
		if !strings.Contains(summary, fmt.Sprintf("tensors: %d\n", len(infos))) || !strings.Contains(summary, "("+tc.format+",") {
			t.Errorf("%s: summary %q, want %d tensors in %s", tc.path, summary, len(infos), tc.format)
		}
		for _, want := range tc.kind {
			if !strings.Contains(lines[len(lines)-1], want) {
				t.Errorf("%s: %q does not say %q", tc.path, lines[len(lines)-1], want)
			}
		}
	}
}

// TestInspectSummaryAndFlagOrder: --summary drops the tensor lines, and
// flags may follow the file.
func TestInspectSummaryAndFlagOrder(t *testing.T) {
	f := fx(t)
	stdout := runOK(t, "inspect", f.plus, "--summary")
	if lines := strings.Count(stdout, "\n"); lines != 3 || !strings.Contains(stdout, "kind: IP-Adapter plus") {
		t.Errorf("--summary printed %d lines:\n%s", lines, stdout)
	}
}

// TestEnv: env describes the go backend the tests run on.
func TestEnv(t *testing.T) {
	stdout := runOK(t, "env", "--backend", "go")
	for _, want := range []string{"backend:", "go (go)", "compute dtype:", "Float32"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("env output lacks %q:\n%s", want, stdout)
		}
	}
}

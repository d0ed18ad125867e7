package convert

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// nameMapEntry is one SGM tensor of the fixture's name_map.json: the
// diffusers tensors ("component/name") it was made from and how.
type nameMapEntry struct {
	SGM       string   `json:"sgm"`
	Diffusers []string `json:"diffusers"`
	Transform string   `json:"transform"`
	Shape     []int    `json:"shape"`
	DType     string   `json:"dtype"`
}

// TestSGMGolden maps the tiny SDXL single-file checkpoint (written by
// diffusers' convert_diffusers_to_original_sdxl.py from the fixture model)
// and checks it three ways: each of its tensors reaches exactly the
// diffusers tensors name_map.json lists, with the listed transform; every
// view tensor equals, bit for bit, the model folder's float32 tensor
// rounded to float16; and the views hold exactly the folder's tensors and
// the parameters of the models the configs build.
func TestSGMGolden(t *testing.T) {
	golden.ForGroup(t, "single_file", func(t *testing.T, c *golden.Case) {
		file, err := c.ResourcePath("single_file")
		if err != nil {
			t.Fatal(err)
		}
		model, err := c.ResourcePath("model")
		if err != nil {
			t.Fatal(err)
		}
		mapPath, err := c.ResourcePath("case_json")
		if err != nil {
			t.Fatal(err)
		}
		src, err := weights.OpenSafetensors(file)
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		cfg := folderConfigs(t, model)
		split, err := SGMComponents(src, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if len(split.Ignored) > 0 || len(split.Unknown) > 0 {
			t.Errorf("ignored %v, unknown %v: the converter's file has neither", split.Ignored, split.Unknown)
		}
		checkNameMap(t, mapPath, src, split)
		checkAgainstFolder(t, model, split)
		checkAgainstModels(t, cfg, src, split)
	})
}

// checkNameMap compares the mapping with the fixture's oracle.
func checkNameMap(t *testing.T, mapPath string, src weights.Source, split *SGMSplit) {
	t.Helper()
	raw, err := os.ReadFile(mapPath)
	if err != nil {
		t.Fatal(err)
	}
	var nm struct {
		Entries []nameMapEntry `json:"entries"`
	}
	if err := json.Unmarshal(raw, &nm); err != nil {
		t.Fatal(err)
	}
	if n := len(src.Infos()); len(nm.Entries) != n {
		t.Fatalf("name_map has %d entries, the file %d tensors", len(nm.Entries), n)
	}
	for _, e := range nm.Entries {
		for k, d := range e.Diffusers {
			component, name, _ := strings.Cut(d, "/")
			v := split.Components[component]
			if v == nil {
				t.Errorf("%s: no %s view", e.SGM, component)
				continue
			}
			o, ok := v.Origin(name)
			if !ok || o.From != e.SGM {
				t.Errorf("%s should give %s, the view has %+v", e.SGM, d, o)
				continue
			}
			if err := checkTransform(e, k, o); err != "" {
				t.Errorf("%s → %s: %s", e.SGM, d, err)
			}
		}
	}
}

// checkTransform compares a TensorMap with name_map's description of the
// k-th diffusers source of an SGM tensor.
func checkTransform(e nameMapEntry, k int, o TensorMap) string {
	switch {
	case e.Transform == "identity":
		if o.Hi != 0 || o.Shape != nil || o.Transpose {
			return "want the tensor as it is"
		}
	case strings.HasPrefix(e.Transform, "concat(q_proj, k_proj, v_proj)"):
		rows := e.Shape[0] / len(e.Diffusers)
		if o.Lo != k*rows || o.Hi != (k+1)*rows {
			return "want rows of the fused q/k/v in q, k, v order"
		}
	case strings.HasPrefix(e.Transform, "reshape"):
		if o.Shape == nil || len(e.Shape) != 4 {
			return "want the 1×1 convolution reshaped"
		}
	case strings.HasPrefix(e.Transform, "transpose"):
		if !o.Transpose {
			return "want the tensor transposed"
		}
	default:
		return "unknown transform " + e.Transform
	}
	return ""
}

// checkAgainstFolder compares every view tensor with the model folder's
// tensor of the same name rounded to the view's dtype, and the name sets.
func checkAgainstFolder(t *testing.T, model string, split *SGMSplit) {
	t.Helper()
	files := map[string]string{
		UNet: "unet/diffusion_pytorch_model.safetensors", VAE: "vae/diffusion_pytorch_model.safetensors",
		TextEncoder: "text_encoder/model.safetensors", TextEncoder2: "text_encoder_2/model.safetensors",
	}
	total := 0
	for component, rel := range files {
		ref, err := weights.OpenSafetensors(filepath.Join(model, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		defer ref.Close()
		v := split.Components[component]
		if !slices.Equal(weights.Names(v), weights.Names(ref)) {
			t.Errorf("%s: the view's names differ from %s", component, rel)
		}
		for _, info := range v.Infos() {
			want, ok := ref.Info(info.Name)
			if !ok || !slices.Equal(info.Shape, want.Shape) {
				t.Errorf("%s %s: view %v, folder %v", component, info.Name, info.Shape, want.Shape)
				continue
			}
			if info.DType != dtypes.Float16 {
				t.Errorf("%s %s: dtype %s, the file is F16", component, info.Name, info.DType)
			}
			raw, err := ref.Bytes(info.Name)
			if err != nil {
				t.Fatal(err)
			}
			wantBytes, err := weights.ConvertBytes(raw, want.DType, info.DType)
			if err != nil {
				t.Fatal(err)
			}
			got, err := v.Bytes(info.Name)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, wantBytes) {
				t.Errorf("%s %s: data differs from the folder's tensor rounded to F16", component, info.Name)
			}
			total++
		}
	}
	if total != 428+244+52+69 {
		t.Errorf("compared %d tensors, want 793 (unet 428, vae 244, text_encoder 52, text_encoder_2 69)", total)
	}
}

package convert

import (
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

func mapNames(maps []TensorMap) map[string]TensorMap {
	out := map[string]TensorMap{}
	for _, m := range maps {
		out[m.Name] = m
	}
	return out
}

func TestIPProjectionMaps(t *testing.T) {
	plain, err := IPProjectionMaps(IPPlain, []weights.Info{f16("proj.weight", 256, 24), f16("proj.bias", 256), f16("norm.weight", 64), f16("norm.bias", 64)})
	if err != nil {
		t.Fatal(err)
	}
	if got := mapNames(plain); got["image_embeds.weight"].From != "proj.weight" || got["image_embeds.bias"].From != "proj.bias" || got["norm.weight"].From != "norm.weight" || len(got) != 4 {
		t.Errorf("plain: %v", plain)
	}

	face, err := IPProjectionMaps(IPFullFace, []weights.Info{f16("proj.0.weight", 8, 4), f16("proj.2.bias", 4), f16("proj.3.weight", 4)})
	if err != nil {
		t.Fatal(err)
	}
	if got := mapNames(face); got["ff.net.0.proj.weight"].From != "proj.0.weight" || got["ff.net.2.bias"].From != "proj.2.bias" || got["norm.weight"].From != "proj.3.weight" {
		t.Errorf("full-face: %v", face)
	}

	plus, err := IPProjectionMaps(IPPlus, []weights.Info{
		f16("latents", 1, 16, 48), f16("proj_in.weight", 48, 32),
		f16("layers.2.0.to_kv.weight", 256, 48), f16("layers.2.0.norm2.bias", 48), f16("layers.2.1.3.weight", 48, 192),
	})
	if err != nil {
		t.Fatal(err)
	}
	got := mapNames(plus)
	k, v := got["layers.2.attn.to_k.weight"], got["layers.2.attn.to_v.weight"]
	if k.From != "layers.2.0.to_kv.weight" || k.Lo != 0 || k.Hi != 128 || v.Lo != 128 || v.Hi != 256 {
		t.Errorf("to_kv split: k %+v, v %+v", k, v)
	}
	if got["layers.2.ln1.bias"].From != "layers.2.0.norm2.bias" || got["layers.2.ff.1.net.2.weight"].From != "layers.2.1.3.weight" || got["latents"].From != "latents" {
		t.Errorf("plus: %v", plus)
	}

	_, err = IPProjectionMaps(IPPlain, []weights.Info{f16("proj.weight", 4, 4), f16("scale", 1)})
	if err == nil || err.Error() != "image_proj has keys a plain image projection does not have: scale" {
		t.Errorf("unknown key: %v", err)
	}
	if _, err := IPProjectionMaps(IPPlus, []weights.Info{f16("layers.x.0.to_q.weight", 4, 4)}); err == nil {
		t.Error("a Resampler layer without an index was mapped")
	}
}

func TestIPKeys(t *testing.T) {
	for layer := range 70 {
		id := IPKeyID(layer)
		back, ok := IPLayerOfKeyID(id)
		if !ok || back != layer {
			t.Fatalf("layer %d → id %d → %d, %v", layer, id, back, ok)
		}
		gotID, proj, ok := ParseIPKey(IPKey(id, IPToV))
		if !ok || gotID != id || proj != IPToV {
			t.Fatalf("ParseIPKey(IPKey(%d)) = %d %s %v", id, gotID, proj, ok)
		}
	}
	if _, ok := IPLayerOfKeyID(4); ok {
		t.Error("an even id names an attn2 layer")
	}
	for _, bad := range []string{"1.to_q_ip.weight", "x.to_k_ip.weight", "-1.to_k_ip.weight", "1.to_k_ip.lora.weight", "3"} {
		if _, _, ok := ParseIPKey(bad); ok {
			t.Errorf("ParseIPKey(%q) accepted", bad)
		}
	}
	if i, ok := IPResamplerLayer("layers.3.1.0.bias"); !ok || i != 3 {
		t.Errorf("IPResamplerLayer: %d %v", i, ok)
	}
	if IPProjectionPrefix(1) != "encoder_hid_proj.image_projection_layers.1" {
		t.Error(IPProjectionPrefix(1))
	}
}

// TestIPAttnMapsSDXL checks the ip_adapter names against the manifest of
// h94's SDXL adapter files: key 2i+1 goes to the i-th attn2 processor of
// diffusers' attn_processors order, for all 70 layers.
func TestIPAttnMapsSDXL(t *testing.T) {
	var manifest struct {
		Order []string `json:"attn_processor_order"`
		Files map[string]struct {
			IPAdapter []struct {
				Name          string `json:"name"`
				DiffusersName string `json:"diffusers_name"`
			} `json:"ip_adapter"`
		} `json:"files"`
	}
	golden.ReadManifestJSON(t, "h94_ip_adapter_sdxl_files", &manifest)
	layers := make([]string, len(manifest.Order))
	for i, p := range manifest.Order {
		layers[i] = strings.TrimSuffix(p, ".processor")
	}
	const adapterIndex = 1
	maps := IPAttnMaps(layers, adapterIndex)
	got := map[string]string{} // original → diffusers
	for _, m := range maps {
		got[m.From] = m.Name
	}
	for file, f := range manifest.Files {
		if len(f.IPAdapter) != 140 || len(maps) != 140 {
			t.Fatalf("%s: %d ip_adapter keys, %d maps; want 140", file, len(f.IPAdapter), len(maps))
		}
		for _, e := range f.IPAdapter {
			want := strings.ReplaceAll(e.DiffusersName, "<adapter_index>", "1")
			if got[e.Name] != want {
				t.Errorf("%s: %s → %s, want %s", file, e.Name, got[e.Name], want)
			}
		}
	}
	if len(got) != len(maps) || len(mapNames(maps)) != len(maps) {
		t.Error("ip_adapter keys and diffusers names are not one to one")
	}
}

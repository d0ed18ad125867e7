package unet

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
)

func sdxlBase(t *testing.T) *UNet {
	t.Helper()
	m := golden.LoadManifest(t, "sdxl_base_unet")
	cfg, err := ParseConfig(m.Config)
	if err != nil {
		t.Fatal(err)
	}
	u, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestSDXLBaseMatchesManifest builds the real SDXL base UNet from its
// config (no weights) and checks every parameter name and shape, and the
// state-dict order, against the manifest of the published checkpoint.
func TestSDXLBaseMatchesManifest(t *testing.T) {
	m := golden.LoadManifest(t, "sdxl_base_unet")
	u := sdxlBase(t)
	specs := u.Specs()
	names := make([]string, len(specs))
	shapes := make([][]int, len(specs))
	for i, s := range specs {
		names[i], shapes[i] = s.Name, s.Shape
	}
	m.CheckNamesAndShapes(t, names, shapes)
	if len(specs) != 1680 || len(specs) != m.NTensors {
		t.Errorf("%d tensors, manifest has %d (want 1680)", len(specs), m.NTensors)
	}
	if n := u.NumParameters(); n != 2_567_463_684 || n != m.NParams {
		t.Errorf("%d parameters, manifest has %d (want 2,567,463,684)", n, m.NParams)
	}
	for i, e := range m.Tensors {
		if i < len(names) && names[i] != e.Name {
			t.Errorf("state-dict order differs at %d: %s, manifest %s", i, names[i], e.Name)
			break
		}
	}
}

// TestSDXLBaseCrossAttnLayers checks the attn2 order and the IP-Adapter
// weight names/shapes against the manifest of h94's SDXL adapter files
// (original key 2i+1 is layer i; diffusers names after load_ip_adapter).
func TestSDXLBaseCrossAttnLayers(t *testing.T) {
	u := sdxlBase(t)
	var manifest struct {
		Order []string `json:"attn_processor_order"`
		Files map[string]struct {
			IPAdapter []struct {
				Name          string `json:"name"`
				Shape         []int  `json:"shape"`
				DiffusersName string `json:"diffusers_name"`
			} `json:"ip_adapter"`
		} `json:"files"`
	}
	golden.ReadManifestJSON(t, "h94_ip_adapter_sdxl_files", &manifest)
	layers := u.CrossAttnLayers()
	want := make([]string, len(manifest.Order))
	for i, p := range manifest.Order {
		want[i] = strings.TrimSuffix(p, ".processor")
	}
	if !slices.Equal(layers, want) {
		t.Fatalf("attn2 order:\n got %v\nwant %v", layers, want)
	}
	info := u.CrossAttnLayerInfo()
	if len(info) != 70 || info[0].Hidden != 640 || info[69].Hidden != 1280 || info[0].Heads != 10 || info[69].Heads != 20 || info[0].CrossDim != 2048 {
		t.Errorf("layer info: %d layers, first %+v, last %+v", len(info), info[0], info[len(info)-1])
	}
	const adapter = 3
	specs := map[string][]int{}
	for _, s := range u.IPSpecs(adapter) {
		specs[s.Name] = s.Shape
	}
	for file, f := range manifest.Files {
		if len(f.IPAdapter) != len(specs) {
			t.Errorf("%s: %d ip_adapter tensors, IPSpecs has %d", file, len(f.IPAdapter), len(specs))
		}
		for _, e := range f.IPAdapter {
			name := strings.ReplaceAll(e.DiffusersName, "<adapter_index>", fmt.Sprint(adapter))
			if got, ok := specs[name]; !ok || !slices.Equal(got, e.Shape) {
				t.Errorf("%s: %s %v: IPSpecs has %v", file, name, e.Shape, got)
			}
			var id int
			var kind string
			if _, err := fmt.Sscanf(strings.Replace(e.Name, ".", " ", 1), "%d %s", &id, &kind); err != nil {
				t.Fatalf("key %q: %v", e.Name, err)
			}
			if k, v := IPWeightNames(layers[(id-1)/2], adapter); (kind == "to_k_ip.weight" && k != name) || (kind == "to_v_ip.weight" && v != name) {
				t.Errorf("original key %s is not layer %d's %s", e.Name, (id-1)/2, name)
			}
		}
	}
	nq, err := u.QueryCounts(128, 128)
	if err != nil {
		t.Fatal(err)
	}
	if nq[0] != 64*64 || nq[4] != 32*32 || nq[69] != 32*32 {
		t.Errorf("query counts at 1024²: %v", nq)
	}
	if q, _ := u.MaskQueryCounts(104, 152); !slices.Equal(q, []int{26 * 38, 52 * 76}) {
		t.Errorf("mask query counts at 832×1216: %v", q)
	}
}

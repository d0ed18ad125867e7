package adapter

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
)

// caseUNet builds (structure only) the UNet of a golden case.
func caseUNet(t *testing.T, c *golden.Case) *unet.UNet {
	t.Helper()
	dir, err := c.Component("unet")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := unet.LoadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := unet.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// caseScaleLayout returns, per adapter of a unet case, its number of
// images (in.image_embeds.<a> axis 1) and whether it has a mask.
func caseScaleLayout(t *testing.T, c *golden.Case) (images []int, masked []bool) {
	t.Helper()
	var embeds, masks []string
	if _, err := c.Param("image_embeds", &embeds); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Param("ip_adapter_masks", &masks); err != nil {
		t.Fatal(err)
	}
	for a, name := range embeds {
		images = append(images, c.Inputs[name].Shape[1])
		masked = append(masked, a < len(masks) && masks[a] != "")
	}
	return images, masked
}

// TestScalesMatchDiffusers expands every unet case's set_ip_adapter_scale
// argument (params.scale, parsed as diffusers reads the Python value) and
// compares each attn2 layer with the scales diffusers' processors ended up
// with (params.effective_ip_scales_per_processor).
func TestScalesMatchDiffusers(t *testing.T) {
	golden.ForGroup(t, "unet", func(t *testing.T, c *golden.Case) {
		raw, ok := c.Params["scale"]
		if !ok {
			t.Skip("no adapters in this case")
		}
		var effective map[string]json.RawMessage
		if _, err := c.Param("effective_ip_scales_per_processor", &effective); err != nil {
			t.Fatal(err)
		}
		scales, err := ParseScales(raw)
		if err != nil {
			t.Fatal(err)
		}
		images, masked := caseScaleLayout(t, c)
		layers := caseUNet(t, c).CrossAttnLayers()
		tables, err := ExpandScales(layers, scales, images, masked)
		if err != nil {
			t.Fatal(err)
		}
		if len(effective) != len(layers) {
			t.Fatalf("%d processors in the case, %d attn2 layers", len(effective), len(layers))
		}
		for i, name := range layers {
			var perAdapter []json.RawMessage
			if err := json.Unmarshal(effective[name+".processor"], &perAdapter); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for a, v := range perAdapter {
				want, err := numberOrList(v)
				if err != nil {
					t.Fatal(err)
				}
				tab := tables[a]
				if len(want) != tab.Cols && !(len(want) == 1 && masked[a]) {
					t.Fatalf("%s adapter %d: %d columns, want %v", name, a, tab.Cols, want)
				}
				for j := range tab.Cols {
					if w := float32(want[min(j, len(want)-1)]); tab.At(i, j) != w {
						t.Errorf("%s adapter %d image %d: scale %g, diffusers %g", name, a, j, tab.At(i, j), w)
					}
				}
			}
		}
	})
}

// sdxlLayers are the 70 attn2 layers of SDXL base, from its manifest's
// config.
func sdxlLayers(t *testing.T) []string {
	t.Helper()
	return sdxlUNet(t).CrossAttnLayers()
}

// TestInstantStylePresetsOnSDXL checks the presets against ip_adapter.md
// §7: style only = key ids 69–87 (up_blocks.0.attentions.1), style and
// layout adds 29–47 (down_blocks.2.attentions.1), layout only is 29–47.
func TestInstantStylePresetsOnSDXL(t *testing.T) {
	layers := sdxlLayers(t)
	for _, tc := range []struct {
		name   string
		scale  AdapterScale
		ranges [][2]int // key id ranges with scale 1
	}{
		{"style only", StyleOnly(), [][2]int{{69, 87}}},
		{"style and layout", StyleAndLayout(), [][2]int{{29, 47}, {69, 87}}},
		{"layout only", LayoutOnly(), [][2]int{{29, 47}}},
	} {
		tabs, err := ExpandScales(layers, []AdapterScale{tc.scale}, []int{1}, []bool{false})
		if err != nil {
			t.Fatal(err)
		}
		ones := 0
		for i := range layers {
			id := keyID(i)
			want := float32(0)
			for _, r := range tc.ranges {
				if id >= r[0] && id <= r[1] {
					want = 1
				}
			}
			if got := tabs[0].At(i, 0); got != want {
				t.Errorf("%s: layer %d (id %d, %s) has scale %g, want %g", tc.name, i, id, layers[i], got, want)
			}
			if want == 1 {
				ones++
			}
		}
		if ones != 10*len(tc.ranges) {
			t.Errorf("%s: %d layers on, want %d", tc.name, ones, 10*len(tc.ranges))
		}
	}
}

// TestScaleErrors checks diffusers' validation messages.
func TestScaleErrors(t *testing.T) {
	layers := sdxlLayers(t)
	for _, tc := range []struct {
		name   string
		scales []AdapterScale
		images []int
		masked []bool
		want   []string
	}{
		{"one scale, two adapters", []AdapterScale{Scale(0.5)}, []int{1, 1}, []bool{false, false}, []string{"cannot assign 1 scale_configs to 2 IP-Adapter"}},
		{"three scales, two adapters", PerAdapter(1, 2, 3), []int{1, 1}, []bool{false, false}, []string{"cannot assign 3 scale_configs to 2"}},
		{"wrong per-block length", []AdapterScale{Blocks{Up: Side{0: {0, 1}}}}, []int{1}, []bool{false}, []string{"expected 3 scales for up.block_0, got 2"}},
		{"two mid values", []AdapterScale{Blocks{Mid: []float64{1, 2}}}, []int{1}, []bool{false}, []string{"expected 1 scales for mid, got 2"}},
		{"per-image without masks", []AdapterScale{PerImage{0.7, 0.7}}, []int{2}, []bool{false}, []string{"need masks"}},
		{"per-image count", []AdapterScale{PerImage{0.7, 0.7, 0.7}}, []int{2}, []bool{true}, []string{"number of masks (2) does not match number of scales (3)"}},
		{"all blocks and a block", []AdapterScale{Blocks{Down: Side{EveryBlock: {1}, 1: {1}}}}, []int{1}, []bool{false}, []string{"not both"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ExpandScales(layers, tc.scales, tc.images, tc.masked)
			wantError(t, err, tc.want...)
		})
	}
}

// TestBlocksDetails covers the dict rules: a number for a side reaches every
// block with attentions, a one-element list is broadcast, blocks without
// attentions are ignored, masks repeat the value per image, and all-zero
// per-image scales without masks mean "off" as in diffusers.
func TestBlocksDetails(t *testing.T) {
	layers := sdxlLayers(t)
	tabs, err := ExpandScales(layers, []AdapterScale{
		Blocks{Down: AllBlocks(0.5), Up: Side{1: {0.25}, 3: {9}}, Mid: []float64{0.75}},
		PerImage{0, 0},
	}, []int{2, 2}, []bool{true, false})
	if err != nil {
		t.Fatal(err)
	}
	if tabs[0].Cols != 2 || tabs[1].Cols != 1 {
		t.Fatalf("columns %d, %d; want 2 (masked) and 1", tabs[0].Cols, tabs[1].Cols)
	}
	for i, name := range layers {
		var want float32
		switch {
		case strings.HasPrefix(name, "down_blocks."):
			want = 0.5
		case strings.HasPrefix(name, "up_blocks.1."):
			want = 0.25
		case strings.HasPrefix(name, "mid_block."):
			want = 0.75
		}
		if tabs[0].At(i, 0) != want || tabs[0].At(i, 1) != want {
			t.Errorf("%s: %g/%g, want %g", name, tabs[0].At(i, 0), tabs[0].At(i, 1), want)
		}
		if tabs[1].At(i, 0) != 0 {
			t.Errorf("%s: all-zero per-image scale gave %g", name, tabs[1].At(i, 0))
		}
	}
}

// TestParseScales covers set_ip_adapter_scale's argument forms.
func TestParseScales(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{
		{`0.6`, `[0.6]`},
		{`[0.8, 0.35]`, `[0.8 0.35]`},
		{`[[0.7, 0.7]]`, `[[0.7, 0.7]]`},
		{`{"up": {"block_0": [0.0, 1.0, 0.0]}, "mid": 0.5}`, `[{up: {block_0: [0 1 0]}, mid: [0.5]}]`},
		{`[{"down": 1}, {"up": {"block_0": [0.0, 1.0, 0.0]}}]`, `[{down: {all: [1]}} {up: {block_0: [0 1 0]}}]`},
	} {
		got, err := ParseScales([]byte(tc.in))
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		s := "["
		for i, g := range got {
			if i > 0 {
				s += " "
			}
			s += g.String()
		}
		if s += "]"; s != tc.want {
			t.Errorf("%s parsed as %s, want %s", tc.in, s, tc.want)
		}
	}
	for _, bad := range []string{`"x"`, `{"middle": 1}`, `{"up": {"blk_0": 1}}`} {
		if _, err := ParseScales([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

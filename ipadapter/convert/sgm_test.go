package convert

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

func tinyConfigs(t *testing.T) SGMConfigs {
	t.Helper()
	return folderConfigs(t, filepath.Join(golden.Repo(t), "tiny-sdxl"))
}

func f16(name string, shape ...int) weights.Info {
	return weights.Info{Name: name, DType: dtypes.Float16, Shape: shape}
}

// TestSGMReportsUnknownAndIgnored: known non-parameters are left out and
// listed as ignored; names outside the configs' structure are listed as
// unknown, not guessed at.
func TestSGMReportsUnknownAndIgnored(t *testing.T) {
	src := newInfoSource(
		f16("model.diffusion_model.input_blocks.1.0.in_layers.0.weight", 32),
		f16("model.diffusion_model.input_blocks.99.0.in_layers.0.weight", 32), // no such block in the tiny UNet
		f16("model.diffusion_model.input_blocks.1.0.in_layers.1.weight", 32),  // in_layers.1 is the SiLU: no weights
		f16("model.diffusion_model.input_blocks.1.1.norm.weight", 32),         // down block 0 has no attentions
		f16("model_ema.decay"),
		f16("cond_stage_model.logvar", 1000), // SD 1.x/2.x training leftovers
		weights.Info{Name: "conditioner.embedders.0.transformer.text_model.embeddings.position_ids", DType: dtypes.Int64, Shape: []int{1, 77}},
		f16("conditioner.embedders.0.transformer.text_model.encoder.layers.3.mlp.fc1.weight", 37, 32), // 3 layers
		f16("conditioner.embedders.1.model.logit_scale"),
		f16("conditioner.embedders.1.model.transformer.resblocks.4.ln_1.weight", 32), // 4 layers
		f16("conditioner.embedders.1.model.transformer.resblocks.01.ln_1.weight", 32),
		f16("first_stage_model.decoder.up.0.upsample.conv.weight", 16, 16, 3, 3), // the last decoder level does not upsample
	)
	split, err := SGMComponents(src, tinyConfigs(t))
	if err != nil {
		t.Fatal(err)
	}
	wantIgnored := []string{
		"conditioner.embedders.0.transformer.text_model.embeddings.position_ids",
		"conditioner.embedders.1.model.logit_scale",
		"model_ema.decay",
	}
	if !slices.Equal(split.Ignored, wantIgnored) {
		t.Errorf("ignored %v, want %v", split.Ignored, wantIgnored)
	}
	wantUnknown := []string{
		"cond_stage_model.logvar",
		"conditioner.embedders.0.transformer.text_model.encoder.layers.3.mlp.fc1.weight",
		"conditioner.embedders.1.model.transformer.resblocks.01.ln_1.weight",
		"conditioner.embedders.1.model.transformer.resblocks.4.ln_1.weight",
		"first_stage_model.decoder.up.0.upsample.conv.weight",
		"model.diffusion_model.input_blocks.1.0.in_layers.1.weight",
		"model.diffusion_model.input_blocks.1.1.norm.weight",
		"model.diffusion_model.input_blocks.99.0.in_layers.0.weight",
	}
	if !slices.Equal(split.Unknown, wantUnknown) {
		t.Errorf("unknown %v,\nwant %v", split.Unknown, wantUnknown)
	}
	if got := weights.Names(split.Components[UNet]); !slices.Equal(got, []string{"down_blocks.0.resnets.0.norm1.weight"}) {
		t.Errorf("unet view %v", got)
	}
	if len(split.Components) != 1 {
		t.Errorf("components %v: only the unet has a mapped tensor", len(split.Components))
	}
}

// TestSGMShapeErrors: tensors whose shape no mapping can show are errors
// naming the tensor, not silently wrong views.
func TestSGMShapeErrors(t *testing.T) {
	for _, c := range []struct {
		info weights.Info
		want string
	}{
		{f16("conditioner.embedders.1.model.transformer.resblocks.0.attn.in_proj_weight", 95, 32), "want 96 rows"},
		{f16("conditioner.embedders.1.model.transformer.resblocks.0.attn.in_proj_bias", 64), "want 96 rows"},
		{f16("conditioner.embedders.1.model.text_projection", 32), "want a 2-D projection"},
		{f16("first_stage_model.encoder.mid.attn_1.q.weight", 32, 32, 3, 3), "want a 1×1 convolution"},
	} {
		_, err := SGMComponents(newInfoSource(c.info), tinyConfigs(t))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.info.Name) {
			t.Errorf("%s: error %v, want one naming it and saying %q", c.info, err, c.want)
		}
	}
}

func TestSGMConfigErrors(t *testing.T) {
	cfg := tinyConfigs(t)
	cfg.UNet.DownBlockTypes = []string{"AttnDownBlock2D", unet.CrossAttnDownBlock2D}
	if _, err := SGMComponents(newInfoSource(), cfg); err == nil || !strings.Contains(err.Error(), "AttnDownBlock2D") {
		t.Errorf("unsupported block type: %v", err)
	}
	cfg = tinyConfigs(t)
	cfg.UNet.LayersPerBlock = unet.Ints(2, 2, 2)
	if _, err := SGMComponents(newInfoSource(), cfg); err == nil || !strings.Contains(err.Error(), "layers_per_block has 3 entries for 2 blocks") {
		t.Errorf("layers_per_block list: %v", err)
	}
	cfg = tinyConfigs(t)
	cfg.VAE.BlockOutChannels = nil
	if _, err := SGMComponents(newInfoSource(), cfg); err == nil {
		t.Error("an invalid VAE config was accepted")
	}
}

// TestUNetTableUnevenLevels checks the index arithmetic with a different
// number of resnets per level (layers_per_block [1, 3]), where a fixed
// stride would be wrong, and that every parameter of the UNet that config
// builds is reachable from some SGM name.
func TestUNetTableUnevenLevels(t *testing.T) {
	cfg := tinyConfigs(t).UNet
	cfg.LayersPerBlock = unet.Ints(1, 3)
	cfg.TransformerLayersPerBlock = tinyConfigs(t).UNet.TransformerLayersPerBlock
	table, err := unetTable(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for sgm, want := range map[string]string{
		"input_blocks.1.0.in_layers.2.weight":   "down_blocks.0.resnets.0.conv1.weight",
		"input_blocks.2.0.op.weight":            "down_blocks.0.downsamplers.0.conv.weight",
		"input_blocks.3.1.proj_in.weight":       "down_blocks.1.attentions.0.proj_in.weight",
		"input_blocks.5.0.skip_connection.bias": "down_blocks.1.resnets.2.conv_shortcut.bias",
		"output_blocks.3.0.out_layers.3.weight": "up_blocks.0.resnets.3.conv2.weight",
		"output_blocks.3.2.conv.weight":         "up_blocks.0.upsamplers.0.conv.weight",
		"output_blocks.4.0.emb_layers.1.bias":   "up_blocks.1.resnets.0.time_emb_proj.bias",
		"output_blocks.5.0.in_layers.0.bias":    "up_blocks.1.resnets.1.norm1.bias",
		"middle_block.2.out_layers.0.weight":    "mid_block.resnets.1.norm2.weight",
		"label_emb.0.2.weight":                  "add_embedding.linear_2.weight",
	} {
		maps, o, err := table.mapName(sgm, f16(sgm, 1))
		if err != nil || o != mapped || len(maps) != 1 || maps[0].Name != want {
			t.Errorf("%s → %v (%v, %v), want %s", sgm, maps, o, err, want)
		}
	}
	for _, sgm := range []string{"input_blocks.6.0.in_layers.0.weight", "output_blocks.6.0.in_layers.0.weight", "output_blocks.5.1.conv.weight"} {
		if _, o, _ := table.mapName(sgm, f16(sgm, 1)); o != unknown {
			t.Errorf("%s mapped: the config has no such block", sgm)
		}
	}
	checkTableReachesModel(t, table, cfg)
	checkTableReachesModel(t, mustUNetTable(t, sdxlBaseConfigs(t).UNet), sdxlBaseConfigs(t).UNet)
}

func mustUNetTable(t *testing.T, cfg unet.Config) prefixTable {
	t.Helper()
	table, err := unetTable(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return table
}

// checkTableReachesModel requires every parameter of the UNet cfg builds to
// be the target of some rule.
func checkTableReachesModel(t *testing.T, table prefixTable, cfg unet.Config) {
	t.Helper()
	u, err := unet.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	exact := map[string]bool{}
	var kept []string // prefixes whose inner names are kept
	for _, r := range table {
		if r.modules == nil {
			kept = append(kept, r.to+".")
			continue
		}
		for _, m := range r.modules {
			exact[joinName(r.to, m, "weight")], exact[joinName(r.to, m, "bias")] = true, true
		}
	}
	for _, s := range u.Specs() {
		if !exact[s.Name] && !slices.ContainsFunc(kept, func(p string) bool { return strings.HasPrefix(s.Name, p) }) {
			t.Errorf("no SGM name maps to %s", s.Name)
		}
	}
}

// TestSGMOtherFamilies: checkpoints of other model families are refused by
// name rather than mapped into the wrong places.
func TestSGMOtherFamilies(t *testing.T) {
	for name, family := range map[string]string{
		"cond_stage_model.transformer.text_model.final_layer_norm.weight": "Stable Diffusion 1.x",
		"cond_stage_model.model.ln_final.weight":                          "Stable Diffusion 2.x",
		"conditioner.embedders.0.model.ln_final.weight":                   "SDXL refiner",
	} {
		_, err := SGMComponents(newInfoSource(f16("model.diffusion_model.out.2.bias", 4), f16(name, 32)), tinyConfigs(t))
		if err == nil || !strings.Contains(err.Error(), family) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

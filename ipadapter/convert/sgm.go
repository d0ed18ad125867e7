package convert

import (
	"fmt"
	"slices"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/vae"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// Component names of an SDXL pipeline, as diffusers' model_index.json and
// folders name them.
const (
	UNet         = "unet"
	VAE          = "vae"
	TextEncoder  = "text_encoder"
	TextEncoder2 = "text_encoder_2"
)

// SGMPrefixes are the key prefixes of each component in an SDXL base
// single-file checkpoint (Stability's generative-models layout).
//
// The text encoders are told apart by prefix: embedders.0 is CLIP ViT-L
// (transformers names), embedders.1 the OpenCLIP ViT-bigG text tower.
// diffusers' from_single_file instead compares each encoder's width with
// the configs' and so swaps them when both are equally wide (the tiny test
// model: both 32); the real SDXL (768 and 1280) is unaffected. The prefix
// is what the file's layout actually says.
var SGMPrefixes = map[string]string{
	UNet:         "model.diffusion_model.",
	VAE:          "first_stage_model.",
	TextEncoder:  "conditioner.embedders.0.transformer.",
	TextEncoder2: "conditioner.embedders.1.model.",
}

// sgmIgnoredPrefixes hold tensors that are known and deliberately not
// loaded: the EMA copy of the UNet some training checkpoints carry (diffusers
// ignores it unless asked to extract it).
var sgmIgnoredPrefixes = []string{"model_ema."}

// otherFamilies are key prefixes of single-file checkpoints of other model
// families (the keys diffusers' infer_diffusers_model_type looks at): their
// tensors would land in the wrong places, so they are refused by name.
var otherFamilies = []struct{ prefix, family string }{
	{"cond_stage_model.transformer.", "Stable Diffusion 1.x"},
	{"cond_stage_model.model.", "Stable Diffusion 2.x"},
	{"conditioner.embedders.0.model.", "the SDXL refiner (its only text encoder is OpenCLIP, at embedders.0)"},
}

// SGMConfigs are the component configs a single-file checkpoint is read
// with (diffusers takes them from the diffusers-layout repository).
// TextEncoder2 must be a CLIPTextModelWithProjection config.
type SGMConfigs struct {
	UNet         unet.Config
	VAE          vae.Config
	TextEncoder  clip.TextConfig
	TextEncoder2 clip.TextConfig
}

// SGMSplit is a single-file checkpoint seen as diffusers components.
type SGMSplit struct {
	// Components holds a view per component found in the file (UNet, VAE,
	// TextEncoder, TextEncoder2), under diffusers/transformers names. The
	// views read the source lazily; keep it open while they are used.
	Components map[string]*View
	// Ignored lists tensors known not to be parameters of any component
	// (position_ids, logit_scale, EMA copies), left out on purpose.
	Ignored []string
	// Unknown lists tensors no rule maps: not loaded. A caller should show
	// them; they mean a file of another layout or an extra the configs do
	// not describe.
	Unknown []string
}

// SGMComponents maps an SDXL single-file checkpoint (sd_xl_base_1.0.safetensors
// layout) onto the components described by cfg. The index arithmetic of
// the SGM module lists comes from the configs, so any UNet/VAE topology the
// configs describe maps, not just SDXL base's.
//
// Names are mapped structurally: inside transformer blocks and CLIP-L the
// names are diffusers' already and are kept, so a tensor there that the
// model does not have is caught when the model checks its source (every
// model loader here refuses unused and missing tensors). An error means a
// tensor has a shape no mapping can show (a fused q/k/v that does not fit
// the config's width) or two tensors map to one name.
func SGMComponents(src weights.Source, cfg SGMConfigs) (*SGMSplit, error) {
	unetRules, err := unetTable(cfg.UNet)
	if err != nil {
		return nil, err
	}
	vaeRules, err := vaeTable(cfg.VAE)
	if err != nil {
		return nil, err
	}
	mappers := map[string]func(name string, info weights.Info) ([]TensorMap, outcome, error){
		UNet: unetRules.mapName,
		VAE:  vaeRules.mapName,
		TextEncoder: func(name string, _ weights.Info) ([]TensorMap, outcome, error) {
			maps, o := mapCLIPL(cfg.TextEncoder, name)
			return maps, o, nil
		},
		TextEncoder2: func(name string, info weights.Info) ([]TensorMap, outcome, error) {
			return mapOpenCLIP(cfg.TextEncoder2, name, info)
		},
	}
	split := &SGMSplit{Components: map[string]*View{}}
	byComponent := map[string][]TensorMap{}
	for _, info := range src.Infos() {
		component, rest := sgmComponent(info.Name)
		if component == "" {
			if hasAnyPrefix(info.Name, sgmIgnoredPrefixes) {
				split.Ignored = append(split.Ignored, info.Name)
			} else {
				split.Unknown = append(split.Unknown, info.Name)
			}
			continue
		}
		local := info
		local.Name = rest
		maps, o, err := mappers[component](rest, local)
		if err != nil {
			return nil, fmt.Errorf("single-file checkpoint, %s: %s%w", component, SGMPrefixes[component], err)
		}
		switch o {
		case ignored:
			split.Ignored = append(split.Ignored, info.Name)
		case unknown:
			split.Unknown = append(split.Unknown, info.Name)
		case mapped:
			for _, m := range maps {
				m.From = info.Name
				byComponent[component] = append(byComponent[component], m)
			}
		}
	}
	for _, f := range otherFamilies {
		if i := slices.IndexFunc(split.Unknown, func(n string) bool { return strings.HasPrefix(n, f.prefix) }); i >= 0 {
			return nil, fmt.Errorf("single-file checkpoint: %s is a key of %s, not SDXL base; only SDXL base's layout is read", split.Unknown[i], f.family)
		}
	}
	for component, maps := range byComponent {
		v, err := NewView(src, maps)
		if err != nil {
			return nil, fmt.Errorf("single-file checkpoint, %s: %w", component, err)
		}
		split.Components[component] = v
	}
	slices.Sort(split.Ignored)
	slices.Sort(split.Unknown)
	return split, nil
}

// sgmComponent returns the component whose prefix name has, and the rest.
func sgmComponent(name string) (component, rest string) {
	for c, p := range SGMPrefixes {
		if r, ok := strings.CutPrefix(name, p); ok && r != "" {
			return c, r
		}
	}
	return "", ""
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

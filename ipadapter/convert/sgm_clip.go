package convert

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// clipLPositionIDs is the position-id buffer the real SDXL file keeps with
// its CLIP-L (transformers made it non-persistent later; it is not a
// parameter).
const clipLPositionIDs = "text_model.embeddings.position_ids"

// mapCLIPL maps conditioner.embedders.0.transformer.*: SGM stores the
// transformers CLIPTextModel itself, so names are kept (diffusers'
// convert_ldm_clip_checkpoint only strips the prefix). Layers beyond the
// config's depth are not the config's model and are reported.
func mapCLIPL(cfg clip.TextConfig, name string) ([]TensorMap, outcome) {
	switch {
	case name == clipLPositionIDs:
		return nil, ignored
	case strings.HasPrefix(name, "text_model.encoder.layers."):
		i, ok := leadingIndex(strings.TrimPrefix(name, "text_model.encoder.layers."))
		if !ok || i >= cfg.NumHiddenLayers {
			return nil, unknown
		}
	case strings.HasPrefix(name, "text_model."):
	case cfg.WithProjection && strings.HasPrefix(name, "text_projection."):
	default:
		return nil, unknown
	}
	return []TensorMap{{Name: name, From: name}}, mapped
}

// openCLIPLayerModules renames the layers of an OpenCLIP residual
// attention block (other than the fused in_proj) to CLIPEncoderLayer's.
var openCLIPLayerModules = map[string]string{
	"ln_1":          "layer_norm1",
	"ln_2":          "layer_norm2",
	"attn.out_proj": "self_attn.out_proj",
	"mlp.c_fc":      "mlp.fc1",
	"mlp.c_proj":    "mlp.fc2",
}

// mapOpenCLIP maps conditioner.embedders.1.model.* (OpenCLIP ViT-bigG
// text tower) to CLIPTextModelWithProjection, as diffusers'
// convert_open_clip_checkpoint does: the fused attention input projection
// in_proj_weight/bias = cat(q, k, v) is split into three row ranges of
// hidden_size rows (views, no copy), and text_projection, which OpenCLIP
// applies as x @ P, becomes the Linear weight Pᵀ (a copy). logit_scale
// belongs to the CLIP training loss and is not loaded.
func mapOpenCLIP(cfg clip.TextConfig, name string, info weights.Info) ([]TensorMap, outcome, error) {
	one := func(to string) ([]TensorMap, outcome, error) {
		return []TensorMap{{Name: to, From: name}}, mapped, nil
	}
	switch name {
	case "logit_scale":
		return nil, ignored, nil
	case "token_embedding.weight":
		return one("text_model.embeddings.token_embedding.weight")
	case "positional_embedding":
		return one("text_model.embeddings.position_embedding.weight")
	case "ln_final.weight", "ln_final.bias":
		return one("text_model.final_layer_norm." + strings.TrimPrefix(name, "ln_final."))
	case "text_projection":
		if !cfg.WithProjection {
			return nil, unknown, nil
		}
		if len(info.Shape) != 2 {
			return nil, unknown, fmt.Errorf("%s has shape %v: want a 2-D projection", name, info.Shape)
		}
		return []TensorMap{{Name: "text_projection.weight", From: name, Transpose: true}}, mapped, nil
	}
	rest, ok := strings.CutPrefix(name, "transformer.resblocks.")
	if !ok {
		return nil, unknown, nil
	}
	if i, ok := leadingIndex(rest); !ok || i >= cfg.NumHiddenLayers {
		return nil, unknown, nil
	}
	idx, inner, _ := strings.Cut(rest, ".")
	layer := "text_model.encoder.layers." + idx + "."
	switch inner {
	case "attn.in_proj_weight", "attn.in_proj_bias":
		param := "weight"
		if inner == "attn.in_proj_bias" {
			param = "bias"
		}
		h := cfg.HiddenSize
		if len(info.Shape) == 0 || info.Shape[0] != 3*h {
			return nil, unknown, fmt.Errorf("%s has shape %v: want %d rows, q, k and v of the %d-wide config", name, info.Shape, 3*h, h)
		}
		var maps []TensorMap
		for k, proj := range []string{"q_proj", "k_proj", "v_proj"} {
			maps = append(maps, TensorMap{Name: layer + "self_attn." + proj + "." + param, From: name, Lo: k * h, Hi: (k + 1) * h})
		}
		return maps, mapped, nil
	}
	module, param, ok := cutLast(inner)
	if to, known := openCLIPLayerModules[module]; ok && known && isParam(param) {
		return one(layer + to + "." + param)
	}
	return nil, unknown, nil
}

// leadingIndex parses the decimal number before the first dot of s.
func leadingIndex(s string) (int, bool) {
	idx, _, _ := strings.Cut(s, ".")
	i, err := strconv.Atoi(idx)
	return i, err == nil && i >= 0 && strconv.Itoa(i) == idx
}

// cutLast splits s at its last dot.
func cutLast(s string) (before, after string, ok bool) {
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

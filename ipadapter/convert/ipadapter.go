package convert

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/errtext"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// This file maps the names of the original tencent-ailab / h94 IP-Adapter
// files to diffusers' names, as UNet2DConditionModel's
// _convert_ip_adapter_image_proj_to_diffusers and
// _convert_ip_adapter_attn_to_diffusers do it. ipadapter/adapter uses it
// and spells no original key itself.

// The two groups of an IP-Adapter file: sub-dicts of a .bin, key prefixes
// of a .safetensors (weights.Open flattens both to the same dotted names).
const (
	IPGroupImageProj = "image_proj"
	IPGroupIPAdapter = "ip_adapter"
)

// IPProjection is the layout of an IP-Adapter file's image_proj group,
// which decides its names. It mirrors adapter.Kind (convert cannot import
// adapter, which imports convert); the String values are the same.
type IPProjection int

const (
	// IPPlain is ImageProjModel (diffusers' ImageProjection).
	IPPlain IPProjection = iota + 1
	// IPPlus is the perceiver Resampler (IPAdapterPlusImageProjection).
	IPPlus
	// IPFullFace is MLPProjModel (IPAdapterFullImageProjection).
	IPFullFace
)

// String names the layout as the IP-Adapter model cards do.
func (p IPProjection) String() string {
	switch p {
	case IPPlain:
		return "plain"
	case IPPlus:
		return "plus"
	case IPFullFace:
		return "full-face"
	}
	return fmt.Sprintf("IPProjection(%d)", int(p))
}

// IPProjectionMaps maps an image_proj group (original names, with shapes)
// to diffusers' names for the given layout. A key the layout does not have
// is an error naming it: diffusers loads image projections strictly.
func IPProjectionMaps(kind IPProjection, infos []weights.Info) ([]TensorMap, error) {
	var maps []TensorMap
	var unknownKeys []string
	for _, info := range infos {
		m, ok := ipProjectionKey(kind, info)
		if !ok {
			unknownKeys = append(unknownKeys, info.Name)
			continue
		}
		maps = append(maps, m...)
	}
	if len(unknownKeys) > 0 {
		return nil, fmt.Errorf("image_proj has keys a %s image projection does not have: %s", kind, errtext.Abbreviate(unknownKeys, 6))
	}
	return maps, nil
}

// ipProjectionKey maps one original image_proj tensor.
func ipProjectionKey(kind IPProjection, info weights.Info) ([]TensorMap, bool) {
	same := func(name string) []TensorMap { return []TensorMap{{Name: name, From: info.Name}} }
	n := info.Name
	switch kind {
	case IPPlain: // ImageProjModel: proj → image_embeds; norm unchanged.
		switch n {
		case "proj.weight", "proj.bias":
			return same("image_embeds." + strings.TrimPrefix(n, "proj.")), true
		case "norm.weight", "norm.bias":
			return same(n), true
		}
	case IPFullFace: // MLPProjModel: proj.0/proj.2 → ff.net.0.proj/ff.net.2; proj.3 → norm.
		for orig, diff := range map[string]string{"proj.0.": "ff.net.0.proj.", "proj.2.": "ff.net.2.", "proj.3.": "norm."} {
			if p, ok := strings.CutPrefix(n, orig); ok && isParam(p) {
				return same(diff + p), true
			}
		}
	case IPPlus:
		return ipPlusKey(info)
	}
	return nil, false
}

// ipResamplerRenames maps the inside of a Resampler layer: the attention
// (index 0) and the feed-forward (index 1).
var ipResamplerRenames = map[string]string{
	"0.norm1.weight": "ln0.weight", "0.norm1.bias": "ln0.bias",
	"0.norm2.weight": "ln1.weight", "0.norm2.bias": "ln1.bias",
	"0.to_q.weight":   "attn.to_q.weight",
	"0.to_out.weight": "attn.to_out.0.weight",
	"1.0.weight":      "ff.0.weight", "1.0.bias": "ff.0.bias",
	"1.1.weight": "ff.1.net.0.proj.weight",
	"1.3.weight": "ff.1.net.2.weight",
}

// ipPlusKey maps one tensor of the Resampler: latents, proj_in, proj_out
// and norm_out keep their names; in layers.i the attention and the
// feed-forward are renamed, and to_kv is split into to_k (first half of the
// rows) and to_v (second half).
func ipPlusKey(info weights.Info) ([]TensorMap, bool) {
	n := info.Name
	switch n {
	case "latents", "proj_in.weight", "proj_in.bias", "proj_out.weight", "proj_out.bias", "norm_out.weight", "norm_out.bias":
		return []TensorMap{{Name: n, From: n}}, true
	}
	rest, ok := strings.CutPrefix(n, "layers.")
	if !ok {
		return nil, false
	}
	idx, rest, ok := strings.Cut(rest, ".")
	if _, err := strconv.Atoi(idx); !ok || err != nil {
		return nil, false
	}
	layer := "layers." + idx + "."
	if d, ok := ipResamplerRenames[rest]; ok {
		return []TensorMap{{Name: layer + d, From: n}}, true
	}
	if rest == "0.to_kv.weight" && len(info.Shape) == 2 && info.Shape[0]%2 == 0 {
		h := info.Shape[0] / 2
		return []TensorMap{
			{Name: layer + "attn.to_k.weight", From: n, Lo: 0, Hi: h},
			{Name: layer + "attn.to_v.weight", From: n, Lo: h, Hi: 2 * h},
		}, true
	}
	return nil, false
}

// IPResamplerLayer returns i for an original Resampler key "layers.i.…".
func IPResamplerLayer(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, "layers.")
	if !ok {
		return 0, false
	}
	idx, _, _ := strings.Cut(rest, ".")
	i, err := strconv.Atoi(idx)
	return i, err == nil && i >= 0
}

// The key and value projections of an ip_adapter group.
const (
	IPToK = "to_k_ip"
	IPToV = "to_v_ip"
)

// ParseIPKey splits an ip_adapter key "<id>.to_k_ip.weight" into its id and
// projection (IPToK or IPToV).
func ParseIPKey(name string) (id int, proj string, ok bool) {
	idx, rest, found := strings.Cut(name, ".")
	if !found {
		return 0, "", false
	}
	id, err := strconv.Atoi(idx)
	if err != nil || id < 0 {
		return 0, "", false
	}
	switch rest {
	case IPToK + ".weight":
		return id, IPToK, true
	case IPToV + ".weight":
		return id, IPToV, true
	}
	return 0, "", false
}

// IPKey is the original key of a layer's projection.
func IPKey(id int, proj string) string { return strconv.Itoa(id) + "." + proj + ".weight" }

// IPKeyID is the original key id of the i-th cross-attention layer in
// diffusers' attn_processors order: the original code numbered every
// attention processor (attn1 even, attn2 odd), so attn2 layers are 1, 3, 5, ….
func IPKeyID(layer int) int { return 2*layer + 1 }

// IPLayerOfKeyID is the inverse of IPKeyID; ok is false for an even id.
func IPLayerOfKeyID(id int) (layer int, ok bool) { return (id - 1) / 2, id%2 == 1 }

// IPAttnMaps maps the ip_adapter group onto the UNet's names for adapter
// index a: cross-attention layer i's original keys become
// "<attn2>.processor.to_k_ip.<a>.weight" and to_v_ip (unet.IPWeightNames).
// layers are the attn2 layer names in attn_processors order.
func IPAttnMaps(layers []string, a int) []TensorMap {
	maps := make([]TensorMap, 0, 2*len(layers))
	for i, l := range layers {
		k, v := unet.IPWeightNames(l, a)
		maps = append(maps, TensorMap{Name: k, From: IPKey(IPKeyID(i), IPToK)}, TensorMap{Name: v, From: IPKey(IPKeyID(i), IPToV)})
	}
	return maps
}

// IPProjectionPrefix is where diffusers keeps adapter a's image projection
// once loaded into the UNet (MultiIPAdapterImageProjection).
func IPProjectionPrefix(a int) string {
	return "encoder_hid_proj.image_projection_layers." + strconv.Itoa(a)
}

package adapter

import (
	"fmt"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// baseModel names the model family an ip_adapter group was trained for,
// from its token width and layer count, for messages.
func baseModel(crossDim, layers int) string {
	switch {
	case crossDim == 768 && layers == 16:
		return "Stable Diffusion 1.5 (cross-attention width 768, 16 cross-attention layers)"
	case crossDim == 1024 && layers == 16:
		return "Stable Diffusion 2.x (cross-attention width 1024, 16 cross-attention layers)"
	case crossDim == 2048 && layers == 70:
		return "Stable Diffusion XL (cross-attention width 2048, 70 cross-attention layers)"
	}
	return fmt.Sprintf("a UNet with %d cross-attention layers of width %d", layers, crossDim)
}

// CheckUNet reports whether the file's ip_adapter group fits a UNet's attn2
// layers (unet.UNet.CrossAttnLayerInfo, in diffusers' attn_processors
// order): one to_k_ip/to_v_ip pair per layer, rows = the layer's channels,
// columns = its cross_attention_dim. A file made for another model family
// (an SD 1.5 adapter in SDXL) is named as such.
func (f *File) CheckUNet(layers []unet.CrossAttnLayer) error {
	if len(layers) == 0 {
		return fmt.Errorf("%s: the UNet has no cross-attention layers to attach an IP-Adapter to", f.Name)
	}
	crossDim := layers[0].CrossDim
	fileCross := f.Layers[0].CrossDim
	if len(f.Layers) != len(layers) || fileCross != crossDim {
		return fmt.Errorf("%s is an IP-Adapter for %s, but this UNet is %s: use an adapter made for this model (for SDXL: h94/IP-Adapter sdxl_models/ip-adapter_sdxl*.safetensors)",
			f.Name, baseModel(fileCross, len(f.Layers)), baseModel(crossDim, len(layers)))
	}
	for i, l := range layers {
		if got := f.Layers[i]; got.Hidden != l.Hidden || l.CrossDim != crossDim {
			return fmt.Errorf("%s: ip_adapter %d.to_k_ip.weight is [%d, %d] but %s needs [%d, %d]: the file was made for a UNet with other channel widths",
				f.Name, got.ID, got.Hidden, got.CrossDim, l.Name, l.Hidden, l.CrossDim)
		}
	}
	return nil
}

// UNetSource is the ip_adapter group under the UNet's names for adapter
// index a (its position in the load list): key id 2i+1 becomes
// "<attn2 layer i>.processor.to_k_ip.<a>.weight" (and to_v_ip), as diffusers'
// _convert_ip_adapter_attn_to_diffusers names them. The result's tensors are
// exactly unet.UNet.IPSpecs(a).
func (f *File) UNetSource(layers []unet.CrossAttnLayer, a int) (weights.Source, error) {
	if err := f.CheckUNet(layers); err != nil {
		return nil, err
	}
	names := make([]string, len(layers))
	for i, l := range layers {
		names[i] = l.Name
	}
	v, err := newView(weights.WithPrefix(f.src, groupIPAdapter), ipTargetKeys(names, a))
	if err != nil {
		return nil, fmt.Errorf("%s: ip_adapter: %w", f.Name, err)
	}
	return v, nil
}

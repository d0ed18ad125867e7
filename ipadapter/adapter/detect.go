package adapter

import (
	"fmt"
	"slices"
)

// detectKind tells the projection type from the image_proj keys, in the
// order diffusers checks them (_convert_ip_adapter_image_proj_to_diffusers):
// proj.weight → plain; proj.3.weight → full-face; perceiver_resampler.* →
// FaceID Plus; norm.weight → FaceID; latents → Plus. The FaceID kinds are
// refused: they need InsightFace identity embeddings (and LoRA weights),
// which this module does not compute.
func detectKind(file string, keys []string) (Kind, error) {
	has := func(k string) bool { return slices.Contains(keys, k) }
	switch {
	case has("proj.weight"):
		return Plain, nil
	case has("proj.3.weight"):
		return FullFace, nil
	case has("perceiver_resampler.proj_in.weight"):
		return 0, fmt.Errorf("%s is an IP-Adapter FaceID Plus file (image_proj has perceiver_resampler.*): FaceID adapters are not supported "+
			"(they take InsightFace face embeddings and need LoRA weights in the UNet); for faces use ip-adapter-plus-face_sdxl_vit-h from h94/IP-Adapter sdxl_models", file)
	case has("norm.weight"):
		return 0, fmt.Errorf("%s is an IP-Adapter FaceID file (image_proj has proj.0, proj.2 and norm): FaceID adapters are not supported "+
			"(they take InsightFace face embeddings and need LoRA weights in the UNet); for faces use ip-adapter-plus-face_sdxl_vit-h from h94/IP-Adapter sdxl_models", file)
	case has("latents"):
		return Plus, nil
	}
	return 0, fmt.Errorf("%s: image_proj is not an IP-Adapter image projection diffusers knows (no proj.weight, proj.3.weight or latents; it has %s)", file, abbreviate(keys, 6))
}

package convert

import (
	"fmt"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/errtext"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// faceIDAdvice is what a FaceID file's error suggests instead.
const faceIDAdvice = "FaceID adapters are not supported (they take InsightFace face embeddings and need LoRA weights in the UNet); " +
	"for faces use ip-adapter-plus-face_sdxl_vit-h from h94/IP-Adapter sdxl_models"

// DetectIPProjection tells the layout of an IP-Adapter file's image_proj
// group (original names) from its keys, in the order diffusers checks them
// (_convert_ip_adapter_image_proj_to_diffusers): proj.weight → plain;
// proj.3.weight → full-face; perceiver_resampler.* → FaceID Plus;
// norm.weight → FaceID; latents → Plus. The FaceID layouts are refused:
// they need InsightFace identity embeddings (and LoRA weights), which this
// module does not compute. file names the file in messages.
func DetectIPProjection(file string, infos []weights.Info) (IPProjection, error) {
	keys := make(map[string]bool, len(infos))
	names := make([]string, len(infos))
	for i, info := range infos {
		keys[info.Name] = true
		names[i] = info.Name
	}
	switch {
	case keys["proj.weight"]:
		return IPPlain, nil
	case keys["proj.3.weight"]:
		return IPFullFace, nil
	case keys["perceiver_resampler.proj_in.weight"]:
		return 0, fmt.Errorf("%s is an IP-Adapter FaceID Plus file (image_proj has perceiver_resampler.*): %s", file, faceIDAdvice)
	case keys["norm.weight"]:
		return 0, fmt.Errorf("%s is an IP-Adapter FaceID file (image_proj has proj.0, proj.2 and norm): %s", file, faceIDAdvice)
	case keys["latents"]:
		return IPPlus, nil
	}
	return 0, fmt.Errorf("%s: image_proj is not an IP-Adapter image projection diffusers knows (no proj.weight, proj.3.weight or latents; it has %s)", file, errtext.Abbreviate(names, 6))
}

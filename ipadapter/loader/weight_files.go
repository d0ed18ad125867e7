package loader

import "strings"

// Weight file names of the two libraries (diffusers' and transformers'
// constants).
const (
	diffusersSafetensors = "diffusion_pytorch_model.safetensors"
	diffusersBin         = "diffusion_pytorch_model.bin"
	transformersSafe     = "model.safetensors"
	transformersBin      = "pytorch_model.bin"
	indexSuffix          = ".index.json"
)

// withVariant inserts the variant before the last extension, as diffusers'
// _add_variant does: model.safetensors → model.fp16.safetensors,
// model.safetensors.index.json → model.safetensors.index.fp16.json.
func withVariant(name, variant string) string {
	if variant == "" {
		return name
	}
	i := strings.LastIndexByte(name, '.')
	return name[:i] + "." + variant + name[i:]
}

// weightCandidates lists the weight files a library looks for, best first.
//
// diffusers' ModelMixin.from_pretrained checks for a sharded safetensors
// index, then the safetensors file, then falls back to the .bin (a sharded
// .bin is not looked for). transformers' PreTrainedModel.from_pretrained
// prefers the single safetensors file to its index, then the .bin and its
// index. The variant, when given, is in every name.
func weightCandidates(library, variant string) []string {
	var names []string
	if library == libTransformers {
		names = []string{transformersSafe, transformersSafe + indexSuffix, transformersBin, transformersBin + indexSuffix}
	} else {
		names = []string{diffusersSafetensors + indexSuffix, diffusersSafetensors, diffusersBin}
	}
	for i, n := range names {
		names[i] = withVariant(n, variant)
	}
	return names
}

// isIndex reports whether a weight file name is a sharded checkpoint's index.
func isIndex(name string) bool {
	return strings.HasSuffix(name, ".json")
}

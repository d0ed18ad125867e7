package loader

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

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

// shardNames reads the shard files an index names (its weight_map's
// values), each checked to be a plain file name next to the index.
func shardNames(indexPath string) ([]string, error) {
	data, err := os.ReadFile(indexPath)
	if err != nil {
		return nil, fmt.Errorf("reading the checkpoint index: %w", err)
	}
	var ix struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := json.Unmarshal(data, &ix); err != nil {
		return nil, fmt.Errorf("%s: %w", indexPath, err)
	}
	if len(ix.WeightMap) == 0 {
		return nil, fmt.Errorf("%s has no \"weight_map\": not a sharded checkpoint index", indexPath)
	}
	var shards []string
	for _, f := range ix.WeightMap {
		if f == "" || path.IsAbs(f) || filepath.IsAbs(f) || !filepath.IsLocal(filepath.FromSlash(f)) {
			return nil, fmt.Errorf("%s names the shard %q, which is not a file next to the index", indexPath, f)
		}
		if !slices.Contains(shards, f) {
			shards = append(shards, f)
		}
	}
	slices.Sort(shards)
	return shards, nil
}

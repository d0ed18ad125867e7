package loader

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
)

// classProbes are the config files that say what a folder holds, with the
// key naming the class and the library that key belongs to.
var classProbes = []struct {
	file, library string
	keys          []string
}{
	{"config.json", libDiffusers, []string{"_class_name"}},
	{"config.json", libTransformers, []string{"architectures"}},
	{"scheduler_config.json", libDiffusers, []string{"_class_name"}},
	{"preprocessor_config.json", libTransformers, []string{"image_processor_type", "feature_extractor_type"}},
	{"tokenizer_config.json", libTransformers, []string{"tokenizer_class"}},
}

// replacementClass tells what a replacement folder holds from its own
// config (diffusers: "_class_name"; transformers: "architectures",
// "image_processor_type", "tokenizer_class"), which is what loading it
// builds; the pipeline's entry for the name is the fallback.
func replacementClass(ctx context.Context, f folder, listed ClassRef, isListed bool) (ClassRef, error) {
	read := map[string]map[string]json.RawMessage{}
	for _, p := range classProbes {
		cfg, seen := read[p.file]
		if !seen {
			path, err := fetchOptional(ctx, f, p.file)
			if err != nil {
				return ClassRef{}, err
			}
			if path != "" {
				data, err := os.ReadFile(path)
				if err != nil {
					return ClassRef{}, err
				}
				if err := json.Unmarshal(data, &cfg); err != nil {
					return ClassRef{}, fmt.Errorf("%s: %w", path, err)
				}
			}
			read[p.file] = cfg
		}
		for _, key := range p.keys {
			var class string
			var list []string
			switch raw := cfg[key]; {
			case raw == nil:
			case json.Unmarshal(raw, &class) == nil && class != "":
				return ClassRef{Library: p.library, Class: class}, nil
			case json.Unmarshal(raw, &list) == nil && len(list) > 0 && list[0] != "":
				return ClassRef{Library: p.library, Class: list[0]}, nil
			}
		}
	}
	if isListed {
		return listed, nil
	}
	return ClassRef{}, fmt.Errorf("cannot tell what %s holds: it has no config.json, scheduler_config.json, preprocessor_config.json "+
		"or tokenizer_config.json naming a class", f)
}

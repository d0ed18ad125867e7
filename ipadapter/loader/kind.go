package loader

import (
	"fmt"
	"strings"
)

// Kind is what a component is, which decides the files it has.
type Kind int

const (
	// Model has config.json and weights.
	Model Kind = iota + 1
	// Scheduler has scheduler_config.json.
	Scheduler
	// Tokenizer has vocab.json and merges.txt (or tokenizer.json) with
	// tokenizer_config.json and special_tokens_map.json.
	Tokenizer
	// Processor (an image processor or feature extractor) has
	// preprocessor_config.json.
	Processor
)

func (k Kind) String() string {
	switch k {
	case Model:
		return "model"
	case Scheduler:
		return "scheduler"
	case Tokenizer:
		return "tokenizer"
	case Processor:
		return "processor"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Libraries whose file names this package knows.
const (
	libDiffusers    = "diffusers"
	libTransformers = "transformers"
)

// kindOf tells a component's kind from its model_index.json class. diffusers
// asks Python for the class's base (SchedulerMixin, PreTrainedTokenizer,
// ImageProcessingMixin, ModelMixin/PreTrainedModel); the classes' names say
// the same for every class of these two libraries.
func kindOf(ref ClassRef) (Kind, error) {
	if ref.Library != libDiffusers && ref.Library != libTransformers {
		return 0, fmt.Errorf("library %q (class %s) is not one this loader reads (diffusers, transformers): leave it out with Options.Skip", ref.Library, ref.Class)
	}
	c := ref.Class
	switch {
	case strings.HasSuffix(c, "Scheduler") || c == "KarrasDiffusionSchedulers":
		return Scheduler, nil
	case strings.Contains(c, "Tokenizer"):
		return Tokenizer, nil
	case strings.HasSuffix(c, "ImageProcessor") || strings.HasSuffix(c, "FeatureExtractor") || strings.HasSuffix(c, "Processor"):
		return Processor, nil
	}
	return Model, nil
}

// configName is the config file of each kind ("" for tokenizers, whose
// tokenizer_config.json is optional).
func configName(k Kind) string {
	switch k {
	case Model:
		return "config.json"
	case Scheduler:
		return "scheduler_config.json"
	case Processor:
		return "preprocessor_config.json"
	}
	return ""
}

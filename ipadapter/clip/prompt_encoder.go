package clip

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gomlx/compute"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip/tokenizer"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// PromptEncoder turns prompts into SDXL's text conditioning, as diffusers'
// StableDiffusionXLPipeline.encode_prompt does, with the pipeline's
// tokenizers and text encoders. It is safe for concurrent use.
type PromptEncoder struct {
	// Tokenizers and Encoders are the (tokenizer, text_encoder) and
	// (tokenizer_2, text_encoder_2) pairs, in that order. A pipeline
	// without the first pair (SDXL refiner) has only the second.
	Tokenizers []*tokenizer.Tokenizer
	Encoders   []*TextEncoder
	// ForceZerosForEmptyPrompt is model_index.json's
	// force_zeros_for_empty_prompt (true for SDXL base): without a negative
	// prompt, the negative conditioning is zeros instead of the encoding
	// of "".
	ForceZerosForEmptyPrompt bool
}

// pipelineComponents are the model_index.json entries the prompt encoder
// reads, with the classes it can load for each.
var pipelineComponents = []struct{ tokenizer, encoder string }{
	{"tokenizer", "text_encoder"},
	{"tokenizer_2", "text_encoder_2"},
}

// LoadPromptEncoder loads the tokenizers and text encoders of a diffusers
// SDXL pipeline folder (model_index.json, tokenizer/, text_encoder/,
// tokenizer_2/, text_encoder_2/). The zero Options mean
// nn.DefaultOptions(backend).
func LoadPromptEncoder(modelDir string, backend compute.Backend, opts nn.Options) (*PromptEncoder, error) {
	index, err := readModelIndex(modelDir)
	if err != nil {
		return nil, err
	}
	p := &PromptEncoder{ForceZerosForEmptyPrompt: true} // diffusers' default when the index omits it
	if raw, ok := index["force_zeros_for_empty_prompt"]; ok {
		if err := json.Unmarshal(raw, &p.ForceZerosForEmptyPrompt); err != nil {
			return nil, fmt.Errorf("%s/model_index.json: force_zeros_for_empty_prompt = %s: want true or false", modelDir, raw)
		}
	}
	for _, pair := range pipelineComponents {
		tokClass, err := componentClass(index, pair.tokenizer)
		if err != nil {
			return nil, fmt.Errorf("%s/model_index.json: %w", modelDir, err)
		}
		encClass, err := componentClass(index, pair.encoder)
		if err != nil {
			return nil, fmt.Errorf("%s/model_index.json: %w", modelDir, err)
		}
		if tokClass == "" && encClass == "" {
			continue // e.g. the refiner has no first text encoder
		}
		if tokClass == "" || encClass == "" {
			return nil, fmt.Errorf("%s/model_index.json: %s and %s must both be present or both absent", modelDir, pair.tokenizer, pair.encoder)
		}
		tok, err := tokenizer.Load(filepath.Join(modelDir, pair.tokenizer))
		if err != nil {
			return nil, err
		}
		enc, err := LoadTextEncoder(filepath.Join(modelDir, pair.encoder), backend, opts)
		if err != nil {
			p.Close()
			return nil, err
		}
		if enc.Model.Config.Architecture() != encClass {
			p.Close()
			enc.Close()
			return nil, fmt.Errorf("%s: model_index.json says %s, its config.json builds %s", pair.encoder, encClass, enc.Model.Config.Architecture())
		}
		p.Tokenizers = append(p.Tokenizers, tok)
		p.Encoders = append(p.Encoders, enc)
	}
	if len(p.Encoders) == 0 {
		return nil, fmt.Errorf("%s/model_index.json lists no text encoder", modelDir)
	}
	return p, nil
}

// Close frees the text encoders' compiled graphs.
func (p *PromptEncoder) Close() {
	for _, e := range p.Encoders {
		e.Close()
	}
}

func readModelIndex(dir string) (map[string]json.RawMessage, error) {
	data, err := os.ReadFile(filepath.Join(dir, "model_index.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a diffusers pipeline folder (no model_index.json)", dir)
	}
	if err != nil {
		return nil, err
	}
	var index map[string]json.RawMessage
	if err := json.Unmarshal(data, &index); err != nil {
		return nil, fmt.Errorf("%s/model_index.json: %w", dir, err)
	}
	return index, nil
}

// componentClass returns the class of a model_index.json component
// (["transformers", "CLIPTextModel"]), "" when absent or [null, null].
func componentClass(index map[string]json.RawMessage, name string) (string, error) {
	raw, ok := index[name]
	if !ok {
		return "", nil
	}
	var entry []*string
	if err := json.Unmarshal(raw, &entry); err != nil || len(entry) != 2 {
		return "", fmt.Errorf("%s = %s: want [library, class]", name, raw)
	}
	if entry[1] == nil {
		return "", nil
	}
	class := *entry[1]
	switch name {
	case "tokenizer", "tokenizer_2":
		if class != "CLIPTokenizer" && class != "CLIPTokenizerFast" {
			return "", fmt.Errorf("%s is a %s, only CLIP tokenizers are supported", name, class)
		}
	default:
		if class != ArchTextModel && class != ArchTextModelWithProjection {
			return "", fmt.Errorf("%s is a %s, want %s or %s", name, class, ArchTextModel, ArchTextModelWithProjection)
		}
	}
	return class, nil
}

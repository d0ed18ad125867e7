package tokenizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// tokenSpec is a special or added token as transformers serialises it:
// either a bare string or an AddedToken object.
type tokenSpec struct {
	Content    string `json:"content"`
	LStrip     bool   `json:"lstrip"`
	RStrip     bool   `json:"rstrip"`
	SingleWord bool   `json:"single_word"`
	Special    *bool  `json:"special"`
}

// UnmarshalJSON accepts "text" as well as {"content": "text", ...}.
func (t *tokenSpec) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		*t = tokenSpec{Content: s}
		return nil
	}
	type plain tokenSpec
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return fmt.Errorf("want a string or an AddedToken object: %w", err)
	}
	*t = tokenSpec(p)
	return nil
}

// tokenizerConfig holds the fields of tokenizer_config.json and
// special_tokens_map.json that CLIPTokenizer uses. do_lower_case is not
// among them: the slow CLIPTokenizer never reads it (its BasicTokenizer
// always lower-cases and ftfy's path calls .lower() itself).
type tokenizerConfig struct {
	BOS        *tokenSpec  `json:"bos_token"`
	EOS        *tokenSpec  `json:"eos_token"`
	Unk        *tokenSpec  `json:"unk_token"`
	Pad        *tokenSpec  `json:"pad_token"`
	Additional []tokenSpec `json:"additional_special_tokens"`
	// ModelMaxLength is a float because transformers writes 1e30 for "no
	// limit".
	ModelMaxLength *float64 `json:"model_max_length"`
	// AddedTokensDecoder maps ids (as strings) to added tokens, in the
	// format transformers writes since v4.34.
	AddedTokensDecoder map[string]tokenSpec `json:"added_tokens_decoder"`
	CleanUpSpaces      *bool                `json:"clean_up_tokenization_spaces"`
	Errors             *string              `json:"errors"`
}

// readConfigs reads tokenizer_config.json and lets special_tokens_map.json
// override its special tokens, as from_pretrained does for tokenizers
// saved without added_tokens_decoder. Both files are optional.
func readConfigs(dir string) (*tokenizerConfig, error) {
	cfg := &tokenizerConfig{}
	if err := readOptionalJSON(filepath.Join(dir, "tokenizer_config.json"), cfg); err != nil {
		return nil, err
	}
	var m tokenizerConfig
	if err := readOptionalJSON(filepath.Join(dir, "special_tokens_map.json"), &m); err != nil {
		return nil, err
	}
	for _, f := range []struct{ dst, src **tokenSpec }{{&cfg.BOS, &m.BOS}, {&cfg.EOS, &m.EOS}, {&cfg.Unk, &m.Unk}, {&cfg.Pad, &m.Pad}} {
		if *f.src != nil {
			*f.dst = *f.src
		}
	}
	if m.Additional != nil {
		cfg.Additional = m.Additional
	}
	return cfg, nil
}

// readOptionalJSON decodes path into v; a missing file leaves v untouched.
func readOptionalJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("parsing %s: %w", path, err)
	}
	return nil
}

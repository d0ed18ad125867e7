package tokenizer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Tokenizer is a loaded CLIP BPE tokenizer. It is safe for concurrent use.
type Tokenizer struct {
	// BOS, EOS and Pad are the ids of <|startoftext|>, <|endoftext|> and
	// the pad token, which differs between SDXL's two tokenizers (49407
	// for tokenizer, 0 for tokenizer_2's "!"). Read-only after Load.
	BOS, EOS, Pad int

	maxLength int // 0: the config sets no limit
	unk       int
	vocab     map[string]int
	idToToken map[int]string
	ranks     map[symbolPair]int

	added     []*addedToken // longest content first, for splitAdded
	addedByID map[int]*addedToken
	addedIDs  map[string]int

	normalize     func(string) string
	cleanUpSpaces bool
	decodeErrors  string

	cache wordCache
}

// Option changes how Load builds a Tokenizer.
type Option func(*Tokenizer)

// WithFTFY makes the tokenizer clean text like CLIPTokenizer does when the
// ftfy package is installed, instead of the default BasicTokenizer path.
// Only the ftfy fixes that are plain rules are reproduced (see the package
// documentation):
// mojibake repair is not, so text that is mojibake tokenises as if ftfy
// had found nothing to repair.
func WithFTFY() Option {
	return func(t *Tokenizer) { t.normalize = ftfyClean }
}

// Load reads a CLIP tokenizer folder as transformers' CLIPTokenizer
// .from_pretrained does: vocab.json and merges.txt, with
// tokenizer_config.json, special_tokens_map.json and added_tokens.json when
// present. A folder without vocab.json but with a tokenizer.json is read
// from that instead.
func Load(dir string, opts ...Option) (*Tokenizer, error) {
	if st, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("tokenizer folder: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("tokenizer folder %s is not a directory", dir)
	}
	cfg, err := readConfigs(dir)
	if err != nil {
		return nil, err
	}
	vocab, ranks, added, err := readModel(dir, cfg)
	if err != nil {
		return nil, err
	}
	t := &Tokenizer{vocab: vocab, ranks: ranks, normalize: basicClean, cleanUpSpaces: true, decodeErrors: "replace"}
	if err := t.configure(cfg, added); err != nil {
		return nil, fmt.Errorf("tokenizer folder %s: %w", dir, err)
	}
	for _, o := range opts {
		o(t)
	}
	return t, nil
}

// readModel reads the BPE model: vocab.json + merges.txt, else
// tokenizer.json. The added tokens come from tokenizer_config.json's
// added_tokens_decoder, else added_tokens.json, plus tokenizer.json's.
func readModel(dir string, cfg *tokenizerConfig) (map[string]int, map[symbolPair]int, []addedSpec, error) {
	var added []addedSpec
	for key, spec := range cfg.AddedTokensDecoder {
		var id int
		if _, err := fmt.Sscan(key, &id); err != nil || id < 0 {
			return nil, nil, nil, fmt.Errorf("tokenizer folder %s: tokenizer_config.json added_tokens_decoder key %q is not an id", dir, key)
		}
		added = append(added, addedSpec{spec: spec, id: id})
	}
	if cfg.AddedTokensDecoder == nil {
		legacy, err := readAddedTokensFile(dir)
		if err != nil {
			return nil, nil, nil, err
		}
		added = append(added, legacy...)
	}
	tjPath := filepath.Join(dir, "tokenizer.json")
	if _, err := os.Stat(filepath.Join(dir, "vocab.json")); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(tjPath); err == nil {
			vocab, ranks, tjAdded, err := readTokenizerJSON(tjPath)
			if err != nil {
				return nil, nil, nil, err
			}
			return vocab, ranks, append(added, tjAdded...), nil
		}
	}
	vocab, err := readVocab(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	ranks, err := readMerges(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	return vocab, ranks, added, nil
}

// MaxLength is the tokenizer's model_max_length (77 for CLIP), the default
// row length of Call. 0 means the config sets no limit.
func (t *Tokenizer) MaxLength() int { return t.maxLength }

// VocabSize is the number of ids, added tokens included.
func (t *Tokenizer) VocabSize() int { return len(t.idToToken) }

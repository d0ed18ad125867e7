package loader

import (
	"context"
	"fmt"
	"path/filepath"
)

// Tokenizer files: CLIPTokenizer's vocabulary and merges, or a fast
// tokenizer's tokenizer.json, with the optional configs transformers reads.
const (
	tokenizerConfig = "tokenizer_config.json"
	tokenizerVocab  = "vocab.json"
	tokenizerMerges = "merges.txt"
	tokenizerJSON   = "tokenizer.json"
)

var tokenizerOptional = []string{"special_tokens_map.json", "added_tokens.json"}

// resolveTokenizer finds a tokenizer's files: vocab.json and merges.txt,
// or tokenizer.json alone, plus whichever optional files exist.
func resolveTokenizer(ctx context.Context, f folder, c *Component) error {
	vocab, err := fetchOptional(ctx, f, tokenizerVocab)
	if err != nil {
		return err
	}
	if vocab != "" {
		merges, err := f.fetch(ctx, tokenizerMerges)
		if err != nil {
			return fmt.Errorf("%s has vocab.json but no merges.txt: %w", f, err)
		}
		c.Files = append(c.Files, vocab, merges)
	}
	tj, err := fetchOptional(ctx, f, tokenizerJSON)
	if err != nil {
		return err
	}
	if tj != "" {
		c.Files = append(c.Files, tj)
	}
	if len(c.Files) == 0 {
		return fmt.Errorf("no tokenizer in %s: looked for %s + %s and %s", f, tokenizerVocab, tokenizerMerges, tokenizerJSON)
	}
	for _, name := range tokenizerOptional {
		p, err := fetchOptional(ctx, f, name)
		if err != nil {
			return err
		}
		if p != "" {
			c.Files = append(c.Files, p)
		}
	}
	if c.ConfigPath, err = fetchOptional(ctx, f, tokenizerConfig); err != nil {
		return err
	}
	c.Dir = filepath.Dir(c.Files[0])
	return nil
}

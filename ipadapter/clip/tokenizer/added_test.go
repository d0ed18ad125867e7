package tokenizer

import (
	"slices"
	"testing"
)

// A pad token that is in the vocabulary ("!", like SDXL's tokenizer_2)
// becomes an added token: every "!" is cut out before BPE.
func TestPadTokenIsSplitOut(t *testing.T) {
	plain := mustLoad(t, tinyFolder(t, nil))
	bang := mustLoad(t, tinyFolder(t, map[string]any{
		"special_tokens_map.json": map[string]any{"pad_token": "!"},
	}))
	if plain.Pad != 13 || bang.Pad != 3 {
		t.Fatalf("Pad ids %d, %d; want 13, 3", plain.Pad, bang.Pad)
	}
	if got := plain.Tokenize("a!!"); !slices.Equal(got, []string{"a</w>", "!!</w>"}) {
		t.Errorf("pad <|endoftext|>: %q", got)
	}
	if got := bang.Tokenize("a!!"); !slices.Equal(got, []string{"a</w>", "!", "!"}) {
		t.Errorf("pad !: %q", got)
	}
	if got := bang.Encode("a!!"); !slices.Equal(got, []int{4, 3, 3}) {
		t.Errorf("pad ! ids: %v", got)
	}
}

// special_tokens_map.json overrides tokenizer_config.json, as in
// from_pretrained.
func TestSpecialTokensMapWins(t *testing.T) {
	tok := mustLoad(t, tinyFolder(t, map[string]any{
		"tokenizer_config.json":   map[string]any{"model_max_length": 8, "pad_token": "<|endoftext|>"},
		"special_tokens_map.json": map[string]any{"pad_token": map[string]any{"content": "!", "lstrip": false}},
	}))
	if tok.Pad != 3 {
		t.Errorf("Pad = %d, want 3 (\"!\")", tok.Pad)
	}
}

// Special tokens absent from the vocabulary get the next free ids, in
// bos, eos, unk, pad order.
func TestSpecialTokensOutsideVocab(t *testing.T) {
	tok := mustLoad(t, tinyFolder(t, map[string]any{
		"tokenizer_config.json": map[string]any{"model_max_length": 8, "bos_token": "<s>", "pad_token": "<pad>"},
	}))
	if tok.BOS != 14 || tok.EOS != 13 || tok.Pad != 15 {
		t.Errorf("BOS, EOS, Pad = %d, %d, %d; want 14, 13, 15", tok.BOS, tok.EOS, tok.Pad)
	}
	if got := tok.Encode("a<s>b<pad>"); !slices.Equal(got, []int{4, 14, 5, 15}) {
		t.Errorf("Encode = %v", got)
	}
	if tok.VocabSize() != 16 {
		t.Errorf("VocabSize = %d, want 16", tok.VocabSize())
	}
}

// Special tokens written in the prompt map to their ids, wherever they are.
func TestSpecialTokensInText(t *testing.T) {
	tok := mustLoad(t, tinyFolder(t, nil))
	if got := tok.Encode("<|startoftext|>ab<|endoftext|> c"); !slices.Equal(got, []int{12, 9, 13, 6}) {
		t.Errorf("Encode = %v", got)
	}
}

// added_tokens_decoder entries honour lstrip, rstrip and single_word.
func TestAddedTokenFlags(t *testing.T) {
	tok := mustLoad(t, tinyFolder(t, map[string]any{
		"tokenizer_config.json": map[string]any{
			"model_max_length": 8,
			"added_tokens_decoder": map[string]any{
				"20": map[string]any{"content": "<L>", "lstrip": true, "special": false},
				"21": map[string]any{"content": "<R>", "rstrip": true, "special": false},
				"22": map[string]any{"content": "<W>", "single_word": true, "special": false},
			},
		},
	}))
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"a <L> b", []string{"a</w>", "<L>", "b</w>"}},
		{"a <R> b", []string{"a</w>", "<R>", "b</w>"}},
		{"a <W> b", []string{"a</w>", "<W>", "b</w>"}},
		// Glued to a word, a single_word token is just text, cleaned and
		// split by CLIP's pattern like the rest.
		{"a<W> b", []string{"a</w>", "<</w>", "w</w>", "></w>", "b</w>"}},
	} {
		if got := tok.Tokenize(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

// The legacy added_tokens.json adds non-special tokens with fixed ids.
func TestAddedTokensFile(t *testing.T) {
	tok := mustLoad(t, tinyFolder(t, map[string]any{"added_tokens.json": map[string]int{"<cat-toy>": 30}}))
	if got := tok.Encode("a <cat-toy> b"); !slices.Equal(got, []int{4, 30, 5}) {
		t.Errorf("Encode = %v", got)
	}
}

// An empty added token is ignored (it would match at every position).
func TestEmptyAddedTokenIgnored(t *testing.T) {
	tok := mustLoad(t, tinyFolder(t, map[string]any{
		"tokenizer_config.json": map[string]any{
			"model_max_length":     8,
			"added_tokens_decoder": map[string]any{"40": map[string]any{"content": ""}},
		},
	}))
	if got := tok.Encode("ab"); !slices.Equal(got, []int{9}) {
		t.Errorf("Encode = %v", got)
	}
}

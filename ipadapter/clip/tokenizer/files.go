package tokenizer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// readVocab reads vocab.json: token string → id.
func readVocab(dir string) (map[string]int, error) {
	path := filepath.Join(dir, "vocab.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer folder %s has no vocab.json: %w", dir, err)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%s is not UTF-8", path)
	}
	var vocab map[string]int
	if err := json.Unmarshal(data, &vocab); err != nil {
		return nil, fmt.Errorf("parsing %s (want a JSON object of token → integer id): %w", path, err)
	}
	if err := checkVocab(vocab); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return vocab, nil
}

// checkVocab rejects vocabularies no CLIP tokenizer could have.
func checkVocab(vocab map[string]int) error {
	if len(vocab) == 0 {
		return fmt.Errorf("the vocabulary is empty")
	}
	for tok, id := range vocab {
		if id < 0 {
			return fmt.Errorf("token %q has negative id %d", tok, id)
		}
	}
	return nil
}

// readMerges reads merges.txt the way CLIPTokenizer does: strip the file,
// split it into lines, drop the first line unconditionally (it is the
// "#version: 0.2" header in every file transformers or openai wrote, and
// transformers does not check: a file without the header loses its first
// merge there, and here too), and keep at most maxMerges lines. The rank of
// a merge is its position; a pair listed twice keeps its later rank, as in
// the Python dict built from the list.
func readMerges(dir string) (map[symbolPair]int, error) {
	path := filepath.Join(dir, "merges.txt")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer folder %s has no merges.txt: %w", dir, err)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%s is not UTF-8", path)
	}
	lines := strings.Split(strings.TrimFunc(string(data), isPySpace), "\n")[1:]
	if len(lines) > maxMerges {
		lines = lines[:maxMerges]
	}
	ranks := make(map[symbolPair]int, len(lines))
	for i, line := range lines {
		f := strings.FieldsFunc(line, isPySpace)
		if len(f) != 2 {
			return nil, fmt.Errorf("%s line %d: want two symbols separated by a space, got %q", path, i+2, line)
		}
		ranks[symbolPair{f[0], f[1]}] = i
	}
	return ranks, nil
}

// tokenizerJSON is the part of a tokenizers-library tokenizer.json that
// describes a CLIP BPE model.
type tokenizerJSON struct {
	AddedTokens []struct {
		ID         int    `json:"id"`
		Content    string `json:"content"`
		LStrip     bool   `json:"lstrip"`
		RStrip     bool   `json:"rstrip"`
		SingleWord bool   `json:"single_word"`
		Special    bool   `json:"special"`
	} `json:"added_tokens"`
	Model struct {
		Type            string            `json:"type"`
		Vocab           map[string]int    `json:"vocab"`
		Merges          []json.RawMessage `json:"merges"`
		EndOfWordSuffix string            `json:"end_of_word_suffix"`
	} `json:"model"`
}

// readTokenizerJSON takes the vocabulary, merges and added tokens out of a
// tokenizer.json. Its normalizer and pre-tokenizer are ignored on purpose:
// they describe CLIPTokenizerFast, whose clean-up differs from the slow
// tokenizer's (no control-character removal, no CJK spacing), and this
// package reproduces the slow one. The merges list has no header line, so
// nothing is dropped from it.
func readTokenizerJSON(path string) (map[string]int, map[symbolPair]int, []addedSpec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var tj tokenizerJSON
	if err := json.Unmarshal(data, &tj); err != nil {
		return nil, nil, nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	if tj.Model.Type != "BPE" || tj.Model.EndOfWordSuffix != endOfWord {
		return nil, nil, nil, fmt.Errorf("%s: model is %q with end_of_word_suffix %q, want a CLIP BPE model (\"BPE\", %q)",
			path, tj.Model.Type, tj.Model.EndOfWordSuffix, endOfWord)
	}
	if err := checkVocab(tj.Model.Vocab); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	merges := tj.Model.Merges
	if len(merges) > maxMerges {
		merges = merges[:maxMerges]
	}
	ranks := make(map[symbolPair]int, len(merges))
	for i, raw := range merges {
		p, err := parseJSONMerge(raw)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: model.merges[%d]: %w", path, i, err)
		}
		ranks[p] = i
	}
	added := make([]addedSpec, len(tj.AddedTokens))
	for i, a := range tj.AddedTokens {
		special := a.Special
		added[i] = addedSpec{id: a.ID, spec: tokenSpec{
			Content: a.Content, LStrip: a.LStrip, RStrip: a.RStrip, SingleWord: a.SingleWord, Special: &special,
		}}
	}
	return tj.Model.Vocab, ranks, added, nil
}

// parseJSONMerge accepts both merge encodings of tokenizer.json: "a b"
// (tokenizers < 0.20) and ["a", "b"].
func parseJSONMerge(raw json.RawMessage) (symbolPair, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		f := strings.Split(s, " ")
		if len(f) != 2 || f[0] == "" || f[1] == "" {
			return symbolPair{}, fmt.Errorf("want \"left right\", got %q", s)
		}
		return symbolPair{f[0], f[1]}, nil
	}
	var pair []string
	if err := json.Unmarshal(raw, &pair); err != nil || len(pair) != 2 {
		return symbolPair{}, fmt.Errorf("want \"left right\" or [left, right], got %s", raw)
	}
	return symbolPair{pair[0], pair[1]}, nil
}

// addedSpec is an added token with a fixed id, from added_tokens_decoder,
// added_tokens.json or tokenizer.json.
type addedSpec struct {
	spec tokenSpec
	id   int
}

// readAddedTokensFile reads the legacy added_tokens.json (token → id), if
// present. Those tokens are added as non-special.
func readAddedTokensFile(dir string) ([]addedSpec, error) {
	var m map[string]int
	if err := readOptionalJSON(filepath.Join(dir, "added_tokens.json"), &m); err != nil {
		return nil, err
	}
	out := make([]addedSpec, 0, len(m))
	for content, id := range m {
		out = append(out, addedSpec{spec: tokenSpec{Content: content}, id: id})
	}
	return out, nil
}

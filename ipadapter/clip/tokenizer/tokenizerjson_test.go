package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// A folder that ships only tokenizer.json (with the same vocabulary and
// merges) must tokenise exactly like vocab.json + merges.txt, with merges
// written either as "a b" strings or as ["a", "b"] pairs.
func TestTokenizerJSONMatchesVocabAndMerges(t *testing.T) {
	c := fixtureCase(t)
	prompts := readGoldenPrompts(t, c)
	texts := make([]string, len(prompts))
	for i, p := range prompts {
		texts[i] = p.Text
	}
	for _, component := range []string{"tokenizer", "tokenizer_2"} {
		ref, dir := fixtureTokenizer(t, c, component)
		want, err := ref.Call(texts, CallOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, pairs := range []bool{false, true} {
			jsonDir := tokenizerJSONFolder(t, dir, pairs)
			tok, err := Load(jsonDir)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tok.Call(texts, CallOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s (merges as pairs: %v): tokenizer.json encodes differently from vocab.json + merges.txt", component, pairs)
			}
			if tok.BOS != ref.BOS || tok.EOS != ref.EOS || tok.Pad != ref.Pad || tok.MaxLength() != ref.MaxLength() {
				t.Errorf("%s: special ids or max length differ", component)
			}
		}
	}
}

// tokenizerJSONFolder writes a folder with the configs of dir and a
// tokenizer.json built from its vocab.json and merges.txt, as the
// tokenizers library serialises a CLIP tokenizer.
func tokenizerJSONFolder(t *testing.T, dir string, mergesAsPairs bool) string {
	t.Helper()
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	var vocab map[string]int
	if err := json.Unmarshal(read("vocab.json"), &vocab); err != nil {
		t.Fatal(err)
	}
	var merges []any
	for _, line := range strings.Split(strings.TrimSpace(string(read("merges.txt"))), "\n")[1:] {
		if mergesAsPairs {
			merges = append(merges, strings.Fields(line))
		} else {
			merges = append(merges, line)
		}
	}
	added := []map[string]any{
		{"id": vocab["<|startoftext|>"], "content": "<|startoftext|>", "special": true, "normalized": true},
		{"id": vocab["<|endoftext|>"], "content": "<|endoftext|>", "special": true, "normalized": false},
	}
	return writeFolder(t, map[string]any{
		"tokenizer.json": map[string]any{
			"version":      "1.0",
			"added_tokens": added,
			"model": map[string]any{
				"type": "BPE", "vocab": vocab, "merges": merges,
				"end_of_word_suffix": "</w>", "unk_token": "<|endoftext|>",
			},
		},
		"tokenizer_config.json":   read("tokenizer_config.json"),
		"special_tokens_map.json": read("special_tokens_map.json"),
	})
}

func TestTokenizerJSONErrors(t *testing.T) {
	for _, tc := range []struct {
		name, json, want string
	}{
		{"not JSON", "{", "parsing"},
		{"not BPE", `{"model": {"type": "WordPiece", "vocab": {"a": 0}}}`, "want a CLIP BPE model"},
		{"no end-of-word suffix", `{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}`, "want a CLIP BPE model"},
		{"bad merge", `{"model": {"type": "BPE", "end_of_word_suffix": "</w>", "vocab": {"a": 0}, "merges": ["a b c"]}}`, "model.merges[0]"},
		{"empty vocab", `{"model": {"type": "BPE", "end_of_word_suffix": "</w>", "vocab": {}, "merges": []}}`, "vocabulary is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tinyFolder(t, map[string]any{"vocab.json": nil, "merges.txt": nil, "tokenizer.json": tc.json})
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

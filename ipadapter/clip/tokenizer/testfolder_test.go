package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// tinyVocab is a small byte-level vocabulary: enough symbols for the words
// "a", "b", "c", "ab", "abc" and "!", plus CLIP's two special tokens.
var tinyVocab = map[string]int{
	"a": 0, "b": 1, "c": 2, "!": 3,
	"a</w>": 4, "b</w>": 5, "c</w>": 6, "!</w>": 7,
	"ab": 8, "ab</w>": 9, "abc</w>": 10, "!!</w>": 11,
	"<|startoftext|>": 12, "<|endoftext|>": 13,
}

// tinyMerges ranks "a b" before "ab c</w>" before "a b</w>", with the
// header line transformers skips.
const tinyMerges = "#version: 0.2\na b\nab c</w>\na b</w>\n! !</w>\n"

// writeFolder writes a tokenizer folder with the given files (file name →
// content; a non-string content is written as JSON) and returns its path.
func writeFolder(t *testing.T, files map[string]any) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		var data []byte
		switch c := content.(type) {
		case string:
			data = []byte(c)
		case []byte:
			data = c
		default:
			var err error
			if data, err = json.Marshal(c); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// tinyFolder is a complete tokenizer folder over tinyVocab; extra entries
// replace or add files (a nil value removes the file).
func tinyFolder(t *testing.T, extra map[string]any) string {
	t.Helper()
	files := map[string]any{
		"vocab.json":            tinyVocab,
		"merges.txt":            tinyMerges,
		"tokenizer_config.json": map[string]any{"model_max_length": 8, "pad_token": "<|endoftext|>"},
	}
	for k, v := range extra {
		if v == nil {
			delete(files, k)
		} else {
			files[k] = v
		}
	}
	return writeFolder(t, files)
}

func mustLoad(t *testing.T, dir string, opts ...Option) *Tokenizer {
	t.Helper()
	tok, err := Load(dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

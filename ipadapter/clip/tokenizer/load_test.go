package tokenizer

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]any // changes to tinyFolder
		want  string         // substring of the error
	}{
		{"no vocab.json", map[string]any{"vocab.json": nil}, "has no vocab.json"},
		{"no merges.txt", map[string]any{"merges.txt": nil}, "has no merges.txt"},
		{"vocab not JSON", map[string]any{"vocab.json": "{\"a\": 0,"}, "parsing"},
		{"vocab ids not integers", map[string]any{"vocab.json": `{"a": "zero"}`}, "token → integer id"},
		{"vocab is a list", map[string]any{"vocab.json": `["a", "b"]`}, "token → integer id"},
		{"vocab empty", map[string]any{"vocab.json": `{}`}, "vocabulary is empty"},
		{"negative id", map[string]any{"vocab.json": `{"a": -1}`}, "negative id"},
		{"duplicate ids", map[string]any{"vocab.json": `{"a": 0, "b": 0}`}, "ids must be unique"},
		{"vocab not UTF-8", map[string]any{"vocab.json": []byte("{\"\xff\": 0}")}, "not UTF-8"},
		{"merge with three symbols", map[string]any{"merges.txt": "#version: 0.2\na b\na b c\n"}, "merges.txt line 3"},
		{"merge with one symbol", map[string]any{"merges.txt": "#version: 0.2\nab\n"}, "merges.txt line 2"},
		{"merges not UTF-8", map[string]any{"merges.txt": []byte("#version: 0.2\n\xff b\n")}, "not UTF-8"},
		{"config not JSON", map[string]any{"tokenizer_config.json": "{"}, "tokenizer_config.json"},
		{"special token of wrong type", map[string]any{"special_tokens_map.json": `{"pad_token": 3}`}, "special_tokens_map.json"},
		{"max length too small", map[string]any{"tokenizer_config.json": `{"model_max_length": 1}`}, "model_max_length"},
		{"added token id not a number", map[string]any{"tokenizer_config.json": `{"model_max_length": 77, "added_tokens_decoder": {"x": {"content": "q"}}}`}, "not an id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tinyFolder(t, tc.files)
			_, err := Load(dir)
			if err == nil {
				t.Fatalf("Load succeeded, want an error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestLoadMissingFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "absent")
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "absent") {
		t.Errorf("Load(%s) error = %v, want one naming the folder", dir, err)
	}
	file := filepath.Join(t.TempDir(), "vocab.json")
	if err := os.WriteFile(file, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(file); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("Load(file) error = %v, want 'not a directory'", err)
	}
}

func TestMissingVocabErrorNamesFolder(t *testing.T) {
	dir := tinyFolder(t, map[string]any{"vocab.json": nil})
	_, err := Load(dir)
	want := "tokenizer folder " + dir + " has no vocab.json: "
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %v, want prefix %q", err, want)
	}
}

// A merges.txt without the "#version" header loses its first merge, because
// CLIPTokenizer slices the header line off unconditionally.
func TestMergesWithoutHeaderLoseFirstLine(t *testing.T) {
	with := mustLoad(t, tinyFolder(t, nil))
	without := mustLoad(t, tinyFolder(t, map[string]any{"merges.txt": strings.TrimPrefix(tinyMerges, "#version: 0.2\n")}))
	if got := with.Tokenize("ab abc"); !slices.Equal(got, []string{"ab</w>", "abc</w>"}) {
		t.Errorf("with header: %q", got)
	}
	// "a b" (rank 0) is gone; "ab c</w>" can no longer apply and "a b</w>"
	// still can.
	if got := without.Tokenize("ab abc"); !slices.Equal(got, []string{"ab</w>", "a", "b", "c</w>"}) {
		t.Errorf("without header: %q", got)
	}
}

// A merges.txt holding only its header is valid: BPE then keeps single
// characters, as in Python.
func TestMergesHeaderOnly(t *testing.T) {
	tok := mustLoad(t, tinyFolder(t, map[string]any{"merges.txt": "#version: 0.2\n"}))
	if got := tok.Tokenize("ab"); !slices.Equal(got, []string{"a", "b</w>"}) {
		t.Errorf("got %q", got)
	}
}

func TestMissingSymbolIsUnknown(t *testing.T) {
	tok := mustLoad(t, tinyFolder(t, nil))
	// "z" has no symbol in tinyVocab: it becomes the unk token, <|endoftext|>.
	if got, want := tok.Encode("az"), []int{0, 13}; !slices.Equal(got, want) {
		t.Errorf("Encode(az) = %v, want %v", got, want)
	}
}

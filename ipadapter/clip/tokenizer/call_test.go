package tokenizer

import (
	"reflect"
	"strings"
	"testing"
)

func TestCallPaddingAndTruncation(t *testing.T) {
	tok := mustLoad(t, tinyFolder(t, nil)) // model_max_length 8, pad <|endoftext|> (13)
	long := strings.Repeat("a ", 7)        // 7 tokens: BOS + 7 + EOS = 9 > 8
	for _, tc := range []struct {
		name string
		opts CallOptions
		want Encoding
	}{
		{"max_length (SDXL's call)", CallOptions{}, Encoding{
			InputIDs:      [][]int{{12, 9, 13, 13, 13, 13, 13, 13}, {12, 4, 4, 4, 4, 4, 4, 13}},
			AttentionMask: [][]int{{1, 1, 1, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 1, 1, 1}},
			Truncated:     []bool{false, true},
		}},
		{"longest", CallOptions{Padding: PadToLongest}, Encoding{
			InputIDs:      [][]int{{12, 9, 13, 13, 13, 13, 13, 13}, {12, 4, 4, 4, 4, 4, 4, 13}},
			AttentionMask: [][]int{{1, 1, 1, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 1, 1, 1}},
			Truncated:     []bool{false, true},
		}},
		{"longest, no truncation", CallOptions{Padding: PadToLongest, NoTruncation: true}, Encoding{
			InputIDs:      [][]int{{12, 9, 13, 13, 13, 13, 13, 13, 13}, {12, 4, 4, 4, 4, 4, 4, 4, 13}},
			AttentionMask: [][]int{{1, 1, 1, 0, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 1, 1, 1, 1}},
			Truncated:     []bool{false, false},
		}},
		{"no padding, max length 4", CallOptions{Padding: NoPadding, MaxLength: 4}, Encoding{
			InputIDs:      [][]int{{12, 9, 13}, {12, 4, 4, 13}},
			AttentionMask: [][]int{{1, 1, 1}, {1, 1, 1, 1}},
			Truncated:     []bool{false, true},
		}},
		{"max_length without truncation", CallOptions{NoTruncation: true, MaxLength: 5}, Encoding{
			InputIDs:      [][]int{{12, 9, 13, 13, 13}, {12, 4, 4, 4, 4, 4, 4, 4, 13}},
			AttentionMask: [][]int{{1, 1, 1, 0, 0}, {1, 1, 1, 1, 1, 1, 1, 1, 1}},
			Truncated:     []bool{false, false},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tok.Call([]string{"ab", long}, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tc.want)
			}
		})
	}
}

func TestCallEmptyPrompt(t *testing.T) {
	tok := mustLoad(t, tinyFolder(t, nil))
	got, err := tok.Call([]string{"", "   "}, CallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []int{12, 13, 13, 13, 13, 13, 13, 13}
	for i, row := range got.InputIDs {
		if !reflect.DeepEqual(row, want) || !reflect.DeepEqual(got.AttentionMask[i], []int{1, 1, 0, 0, 0, 0, 0, 0}) {
			t.Errorf("row %d: %v %v", i, row, got.AttentionMask[i])
		}
	}
}

func TestCallErrors(t *testing.T) {
	tok := mustLoad(t, tinyFolder(t, nil))
	noMax := mustLoad(t, tinyFolder(t, map[string]any{"tokenizer_config.json": map[string]any{"model_max_length": 1e30}}))
	if noMax.MaxLength() != 0 {
		t.Errorf("MaxLength() = %d for model_max_length 1e30, want 0 (no limit)", noMax.MaxLength())
	}
	for _, tc := range []struct {
		name string
		tok  *Tokenizer
		opts CallOptions
		want string
	}{
		{"negative max length", tok, CallOptions{MaxLength: -1}, "negative"},
		{"max length 1", tok, CallOptions{MaxLength: 1}, "cannot hold BOS and EOS"},
		{"unknown padding", tok, CallOptions{Padding: 7}, "unknown padding"},
		{"no model_max_length", noMax, CallOptions{}, "no model_max_length"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.tok.Call([]string{"a"}, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := noMax.Call([]string{"a"}, CallOptions{Padding: PadToLongest, NoTruncation: true}); err != nil {
		t.Errorf("longest without truncation needs no max length: %v", err)
	}
}

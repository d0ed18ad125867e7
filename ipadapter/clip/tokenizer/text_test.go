package tokenizer

import (
	"slices"
	"testing"
)

// Expected values below were produced with Python 3.11 (str.lower,
// unicodedata 14.0.0) and the regex module.

func TestPyLower(t *testing.T) {
	for in, want := range map[string]string{
		"Mixed CASE":  "mixed case",
		"İstanbul":    "i\u0307stanbul", // full mapping: two code points
		"ΟΔΥΣΣΕΥΣ":    "οδυσσευς",       // final sigma
		"ΣΑ":          "σα",
		"Σ":           "σ", // no cased letter before it
		"AΣ.":         "aς.",
		"AΣ'B":        "aσ'b", // "'" is case-ignorable, B is cased
		"ÅNGSTRÖM ÉC": "ångström éc",
		"ＡＢＣ":         "ａｂｃ",
	} {
		if got := pyLower(in); got != want {
			t.Errorf("pyLower(%q) = %+q, want %+q", in, got, want)
		}
	}
}

func TestBasicClean(t *testing.T) {
	for in, want := range map[string]string{
		"  A photo of\n\n   a   dog\t ": "a photo of a dog",
		"hello\u00a0world\u200bagain":   "hello worldagain", // NBSP is a space, ZWSP is dropped
		"日本の桜":                          "日 本 の 桜",          // CJK ideographs spaced, kana not
		"cafe\u0301":                    "café",             // NFC
		"tab\tand\x07bell\x00nul":       "tab andbellnul",
		"x\u2028y":                      "x y",       // Python's str.split() splits on U+2028
		"new \U0001FAE8 emoji":          "new emoji", // unassigned in Unicode 14.0: dropped
		"\ue000private":                 "private",   // private use (Co) is a control here
		"\U0001F43B\u200d\u2744\ufe0f":  "🐻❄\ufe0f",  // ZWJ (Cf) dropped, VS16 (Mn) kept
	} {
		if got := basicClean(in); got != want {
			t.Errorf("basicClean(%+q) = %+q, want %+q", in, got, want)
		}
	}
}

func TestSplitWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"don't stop, it's", []string{"don", "'t", "stop", ",", "it", "'s"}},
		{"IT'S", []string{"IT", "'S"}},
		{"'ſ", []string{"'ſ"}}, // ſ case-folds to s
		{"a<|endoftext|>b", []string{"a", "<|endoftext|>", "b"}},
		{"!!<|endoftext|>", []string{"!!<|", "endoftext", "|>"}}, // the symbol run wins first
		{"3.14 1024x1024", []string{"3", ".", "1", "4", "1", "0", "2", "4", "x", "1", "0", "2", "4"}},
		{"x\u0345y", []string{"x", "y"}}, // U+0345 matches no alternative under IGNORECASE
		{"１２ⅻ", []string{"１", "２", "ⅻ"}},
		{"(masterpiece:1.2),", []string{"(", "masterpiece", ":", "1", ".", "2", "),"}},
	} {
		var got []string
		splitWords(tc.in, func(w string) { got = append(got, w) })
		if !slices.Equal(got, tc.want) {
			t.Errorf("splitWords(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestBPE(t *testing.T) {
	ranks := map[symbolPair]int{{"a", "b"}: 0, {"ab", "c</w>"}: 1, {"a", "a"}: 2}
	for _, tc := range []struct {
		word string
		want []string
	}{
		{"abc", []string{"abc</w>"}},
		{"x", []string{"x</w>"}},
		{"aaa", []string{"aa", "a</w>"}}, // left to right, non-overlapping
		{"abab", []string{"ab", "a", "b</w>"}},
		{"<|endoftext|>", []string{"<|endoftext|>"}},
	} {
		if got := bpe(tc.word, ranks); !slices.Equal(got, tc.want) {
			t.Errorf("bpe(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
}

func TestByteEncode(t *testing.T) {
	// Space and the bytes of "é" (C3 A9) as CLIP's vocabulary spells them.
	if got := byteEncode(" é!"); got != "ĠÃ©!" {
		t.Errorf("byteEncode = %q", got)
	}
	seen := map[rune]bool{}
	for b := 0; b < 256; b++ {
		r := byteToRune[b]
		if seen[r] || runeToByte[r] != byte(b) {
			t.Fatalf("byte %#x maps to %q, not one-to-one", b, r)
		}
		seen[r] = true
	}
}

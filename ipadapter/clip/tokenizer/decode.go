package tokenizer

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Decode turns ids back into text for display, like transformers'
// tokenizer.decode(ids, skip_special_tokens=skipSpecial): symbols are
// mapped back to bytes, "</w>" becomes a space, the bytes are decoded as
// UTF-8 with the config's error handling ("replace" for CLIP), and, as
// clean_up_tokenization_spaces is true for CLIP, spaces before punctuation
// and contractions are removed. With skipSpecial, BOS, EOS and the pad token
// are dropped (for tokenizer_2 that includes every "!", which is its pad
// token). The text is lower-cased and cleaned, so it is not the prompt.
func (t *Tokenizer) Decode(ids []int, skipSpecial bool) (string, error) {
	var parts, run []string
	flush := func() error {
		if len(run) == 0 {
			return nil
		}
		s, err := t.symbolsToString(run)
		if err != nil {
			return err
		}
		if s != "" {
			parts = append(parts, s)
		}
		run = run[:0]
		return nil
	}
	for _, id := range ids {
		a := t.addedByID[id]
		if skipSpecial && a != nil && a.special {
			continue
		}
		tok, ok := t.idToToken[id]
		if !ok {
			return "", fmt.Errorf("decode: id %d is not in the vocabulary (%d ids)", id, len(t.idToToken))
		}
		// transformers decodes byte-level runs separately from added
		// tokens that are not special (and additional special tokens
		// outside the vocabulary), then joins the parts with spaces.
		if a != nil && (!a.special || id >= len(t.vocab)) {
			if err := flush(); err != nil {
				return "", err
			}
			parts = append(parts, tok)
			continue
		}
		run = append(run, tok)
	}
	if err := flush(); err != nil {
		return "", err
	}
	text := strings.Join(parts, " ")
	if t.cleanUpSpaces {
		text = cleanUpTokenization(text)
	}
	return text, nil
}

// symbolsToString is CLIPTokenizer.convert_tokens_to_string.
func (t *Tokenizer) symbolsToString(symbols []string) (string, error) {
	var raw []byte
	for _, s := range symbols {
		for _, r := range s {
			b, ok := runeToByte[r]
			if !ok {
				return "", fmt.Errorf("decode: symbol %q has %q, which is not in the byte-level alphabet", s, r)
			}
			raw = append(raw, b)
		}
	}
	text, err := decodeUTF8(raw, t.decodeErrors)
	if err != nil {
		return "", err
	}
	return strings.TrimFunc(strings.ReplaceAll(text, endOfWord, " "), isPySpace), nil
}

// decodeUTF8 is Python's bytes.decode("utf-8", errors): "replace" puts one
// U+FFFD per maximal ill-formed subpart (Go's decoder would put one per
// byte), "ignore" drops them, "strict" fails.
func decodeUTF8(b []byte, errors string) (string, error) {
	if utf8.Valid(b) {
		return string(b), nil
	}
	var sb strings.Builder
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || n > 1 {
			sb.WriteRune(r)
			i += n
			continue
		}
		switch errors {
		case "strict":
			return "", fmt.Errorf("decode: invalid UTF-8 at byte %d", i)
		case "replace":
			sb.WriteRune(utf8.RuneError)
		}
		i += illFormedLen(b[i:])
	}
	return sb.String(), nil
}

// illFormedLen is the length of the maximal subpart of an ill-formed UTF-8
// sequence at the start of b: the lead byte plus the continuation bytes
// that are still valid for it (Unicode table 3-7), at least 1.
func illFormedLen(b []byte) int {
	var need int
	lo, hi := byte(0x80), byte(0xBF)
	switch c := b[0]; {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c == 0xE0:
		need, lo = 2, 0xA0
	case c == 0xED:
		need, hi = 2, 0x9F
	case c >= 0xE1 && c <= 0xEF:
		need = 2
	case c == 0xF0:
		need, lo = 3, 0x90
	case c == 0xF4:
		need, hi = 3, 0x8F
	case c >= 0xF1 && c <= 0xF3:
		need = 3
	default:
		return 1
	}
	n := 1
	for k := 0; k < need && n < len(b); k++ {
		c := b[n]
		if k > 0 {
			lo, hi = 0x80, 0xBF
		}
		if c < lo || c > hi {
			break
		}
		n++
	}
	return n
}

// cleanUpTokenization is transformers' clean_up_tokenization: a sequence
// of whole-string replacements, each one seeing the previous one's output
// (a single strings.Replacer pass would not).
func cleanUpTokenization(s string) string {
	for _, r := range [][2]string{{" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"},
		{" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}} {
		s = strings.ReplaceAll(s, r[0], r[1])
	}
	return s
}

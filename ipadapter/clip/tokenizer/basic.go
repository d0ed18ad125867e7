package tokenizer

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// basicClean is the text clean-up CLIPTokenizer does when ftfy is not
// installed, which is what diffusers users get by default:
// BasicTokenizer(strip_accents=False, do_split_on_punc=False).tokenize
// joined with spaces. In order:
//
//  1. drop U+0000, U+FFFD and control characters (every category C*, so also
//     format characters such as ZERO WIDTH SPACE and ZERO WIDTH JOINER, and
//     unassigned code points), except \t \n \r;
//  2. turn \t \n \r, ' ' and every Zs space (NBSP, U+3000, …) into ' ';
//  3. put spaces around CJK ideographs;
//  4. NFC-normalise;
//  5. split on Python whitespace, lower-case each piece with Python's rules
//     (accents are kept) and join the pieces with single spaces.
//
// Punctuation is not split off here (do_split_on_punc=False); CLIP's regex
// does that later. Invalid UTF-8, which a Python str cannot hold, decodes to
// U+FFFD and is dropped with it.
func basicClean(text string) string {
	if isASCII(text) {
		return basicCleanASCII(text)
	}
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range text {
		switch {
		case r == 0 || r == utf8.RuneError || isBasicControl(r):
		case isBasicWhitespace(r):
			b.WriteByte(' ')
		case isCJKIdeograph(r):
			b.WriteByte(' ')
			b.WriteRune(r)
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	fields := strings.FieldsFunc(norm.NFC.String(b.String()), isPySpace)
	for i, f := range fields {
		fields[i] = pyLower(f)
	}
	return strings.Join(fields, " ")
}

// basicCleanASCII is basicClean for ASCII text, in one pass: ASCII is
// already NFC, has no CJK, and its only Python whitespace left after the
// control characters (\v \f \x1c..\x1f included) are dropped is ' ', \t,
// \n and \r.
func basicCleanASCII(text string) string {
	b := make([]byte, 0, len(text))
	pendingSpace := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			pendingSpace = len(b) > 0
		case c < 0x20 || c == 0x7F:
		default:
			if pendingSpace {
				b = append(b, ' ')
				pendingSpace = false
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
		}
	}
	return string(b)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isBasicControl is transformers' _is_control: category C* except \t \n \r.
// Category Cn is judged by Unicode 14.0.0, the reference Python's version.
func isBasicControl(r rune) bool {
	if r == '\t' || r == '\n' || r == '\r' {
		return false
	}
	if r < utf8.RuneSelf {
		return r < 0x20 || r == 0x7F
	}
	return unicode.Is(unicode.C, r) || !isAssignedUnicode14(r)
}

// isAssignedUnicode14 reports whether r has a category other than Cn in
// Unicode 14.0.0.
func isAssignedUnicode14(r rune) bool {
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.C) &&
		!unicode.Is(newerThanUnicode14, r)
}

// isBasicWhitespace is transformers' _is_whitespace: ' ', \t, \n, \r or
// category Zs.
func isBasicWhitespace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || (r >= utf8.RuneSelf && unicode.Is(unicode.Zs, r))
}

// isCJKIdeograph is BasicTokenizer._is_chinese_char: the CJK Unified
// Ideographs blocks and extensions A–E plus the compatibility ideographs.
// Hiragana, Katakana and Hangul are deliberately not included.
func isCJKIdeograph(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) ||
		(r >= 0x3400 && r <= 0x4DBF) ||
		(r >= 0x20000 && r <= 0x2A6DF) ||
		(r >= 0x2A700 && r <= 0x2B73F) ||
		(r >= 0x2B740 && r <= 0x2B81F) ||
		(r >= 0x2B820 && r <= 0x2CEAF) ||
		(r >= 0xF900 && r <= 0xFAFF) ||
		(r >= 0x2F800 && r <= 0x2FA1F)
}

// isPySpace is Python's str.isspace, which str.split() and str.strip() use:
// bidirectional class WS, B or S, or category Zs.
func isPySpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', 0x1C, 0x1D, 0x1E, 0x1F, ' ', 0x85, 0xA0, 0x1680,
		0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
		return true
	}
	return 0x2000 <= r && r <= 0x200A
}

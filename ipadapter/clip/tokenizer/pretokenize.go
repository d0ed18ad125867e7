package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// splitWords calls fn with every match of CLIP's pre-tokenisation pattern
//
//	<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
//
// (case-insensitive), left to right, as Python's regex.findall does: at each
// position the alternatives are tried in order and the first that matches
// wins; where none does (whitespace), the scan moves on one character.
//
// It is a hand-written scanner rather than a Go regexp because RE2's \s is
// ASCII-only while the regex module's is Unicode White_Space, and because it
// reproduces a detail of the regex module: under IGNORECASE, U+0345 (a
// combining mark that case-folds to the letter ι) matches neither [\p{L}]
// nor [^\s\p{L}\p{N}], so it is skipped like whitespace. It also allocates
// nothing per match.
func splitWords(text string, fn func(word string)) {
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if n := matchSpecialWord(text[i:]); n > 0 {
			fn(text[i : i+n])
			i += n
			continue
		}
		switch {
		case isRegexLetter(r):
			j := i + size
			for j < len(text) {
				r2, n := utf8.DecodeRuneInString(text[j:])
				if !isRegexLetter(r2) {
					break
				}
				j += n
			}
			fn(text[i:j])
			i = j
		case unicode.IsNumber(r):
			fn(text[i : i+size])
			i += size
		case isRegexOther(r):
			j := i + size
			for j < len(text) {
				r2, n := utf8.DecodeRuneInString(text[j:])
				if !isRegexOther(r2) {
					break
				}
				j += n
			}
			fn(text[i:j])
			i = j
		default:
			i += size
		}
	}
}

// contractions are the pattern's 's|'t|'re|'ve|'m|'ll|'d alternatives
// without the apostrophe. No one is a prefix of another, so their order
// does not matter.
var contractions = []string{"s", "t", "re", "ve", "m", "ll", "d"}

// matchSpecialWord returns the byte length of the special-token or
// contraction alternative that matches at the start of s, or 0.
func matchSpecialWord(s string) int {
	if s == "" {
		return 0
	}
	switch s[0] {
	case '<':
		if n := foldPrefix(s, "<|startoftext|>"); n > 0 {
			return n
		}
		return foldPrefix(s, "<|endoftext|>")
	case '\'':
		for _, c := range contractions {
			if n := foldPrefix(s[1:], c); n > 0 {
				return 1 + n
			}
		}
	}
	return 0
}

// foldPrefix reports the byte length of the prefix of s that equals the
// ASCII pattern under simple case folding (as IGNORECASE does: "ſ" matches
// "s", "K" (Kelvin) matches "k"), or 0 if there is none.
func foldPrefix(s, pattern string) int {
	i := 0
	for _, p := range pattern {
		if i >= len(s) {
			return 0
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !foldEqual(r, p) {
			return 0
		}
		i += n
	}
	return i
}

// foldEqual reports whether r and p are in the same simple case-folding
// orbit.
func foldEqual(r, p rune) bool {
	if r == p {
		return true
	}
	for f := unicode.SimpleFold(p); f != p; f = unicode.SimpleFold(f) {
		if f == r {
			return true
		}
	}
	return false
}

// isRegexLetter is [\p{L}].
func isRegexLetter(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r)
}

// isRegexOther is [^\s\p{L}\p{N}] as the regex module evaluates it under
// IGNORECASE (see splitWords for U+0345).
func isRegexOther(r rune) bool {
	return !isRegexSpace(r) && !isRegexLetter(r) && !unicode.IsNumber(r) && r != 0x345
}

// isRegexSpace is the regex module's \s: Unicode White_Space. Unlike
// Python's str.isspace it excludes U+001C..U+001F.
func isRegexSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
		return true
	}
	return 0x2000 <= r && r <= 0x200A
}

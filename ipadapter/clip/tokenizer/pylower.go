package tokenizer

import (
	"strings"
	"unicode"
)

// pyLower is Python's str.lower(), which differs from strings.ToLower in
// two ways that reach CLIP prompts: it uses the full lowercase mapping
// (U+0130 "İ" becomes "i" + U+0307, two code points), and it lowers capital
// sigma to final "ς" at the end of a word (the Final_Sigma condition of
// Unicode's SpecialCasing), so "ΟΔΥΣΣΕΥΣ" becomes "οδυσσευς".
func pyLower(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	runes := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range runes {
		switch r {
		case 0x130:
			b.WriteString("i\u0307")
		case 0x3A3:
			if finalSigma(runes, i) {
				b.WriteRune('ς')
			} else {
				b.WriteRune('σ')
			}
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// finalSigma is CPython's handle_capital_sigma: the sigma at i is final when
// a cased letter precedes it and none follows it, skipping case-ignorable
// characters on both sides.
func finalSigma(runes []rune, i int) bool {
	j := i - 1
	for j >= 0 && isCaseIgnorable(runes[j]) {
		j--
	}
	if j < 0 || !isCased(runes[j]) {
		return false
	}
	j = i + 1
	for j < len(runes) && isCaseIgnorable(runes[j]) {
		j++
	}
	return j == len(runes) || !isCased(runes[j])
}

// isCased is Unicode's Cased property: Lowercase, Uppercase or Lt. U+0295
// was Ll in Unicode 14.0.0, the reference Python's version (Go's newer
// tables say Lo).
func isCased(r rune) bool {
	return r == 0x295 || unicode.In(r, unicode.Lu, unicode.Ll, unicode.Lt, unicode.Other_Lowercase, unicode.Other_Uppercase)
}

// isCaseIgnorable is Unicode's Case_Ignorable property: categories Mn, Me,
// Cf, Lm, Sk, plus the Word_Break classes MidLetter, MidNumLet and
// Single_Quote, listed here because Go has no Word_Break table. U+1171E was
// Mn in Unicode 14.0.0 (Mc in Go's newer tables).
func isCaseIgnorable(r rune) bool {
	switch r {
	case 0x1171E:
		return true
	case '\'', '.', ':', 0xB7, 0x387, 0x55F, 0x5F4, 0x2018, 0x2019, 0x2024, 0x2027,
		0xFE13, 0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A:
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}

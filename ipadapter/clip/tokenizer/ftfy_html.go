package tokenizer

import (
	"html"
	"strconv"
	"strings"
	"unicode"
)

// ftfyUnescapeHTML is ftfy's unescape_html: every match of
// &#?[0-9A-Za-z]{1,24}; is replaced when it is a whole entity (named
// entities of the HTML5 list that end in ";", their all-caps forms for
// lower-case names, and numeric character references); anything else,
// including entities without ";", is kept.
func ftfyUnescapeHTML(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if n := entityLen(s[i:]); n > 0 {
			b.WriteString(unescapeEntity(s[i : i+n]))
			i += n
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// entityLen returns the length of the match of &#?[0-9A-Za-z]{1,24}; at
// the start of s, or 0.
func entityLen(s string) int {
	if !strings.HasPrefix(s, "&") {
		return 0
	}
	j := 1
	if strings.HasPrefix(s[1:], "#") {
		j++
	}
	k := j
	for k < len(s) && k-j < 24 && isASCIIAlnum(s[k]) {
		k++
	}
	if k == j || k >= len(s) || s[k] != ';' {
		return 0
	}
	return k + 1
}

func isASCIIAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// unescapeEntity is ftfy's _unescape_fixup for one match m ("&...;").
func unescapeEntity(m string) string {
	if strings.HasPrefix(m, "&#") {
		// Decoded only when the whole reference is numeric; a result that
		// still holds ";" means it was not (or it is &#59;), and ftfy then
		// keeps the text.
		if r, ok := numericCharRef(m[2 : len(m)-1]); ok && !strings.Contains(r, ";") {
			return r
		}
		return m
	}
	if r, ok := wholeEntity(m); ok {
		return r
	}
	// ftfy also decodes the all-caps spelling of lower-case entity names
	// ("&EACUTE;" → "É", upper-cased), unless that spelling already means
	// something to html.unescape.
	name := m[1 : len(m)-1]
	lower := strings.ToLower(name)
	if name != strings.ToUpper(lower) || lower == name || html.UnescapeString(m) != m {
		return m
	}
	if r, ok := wholeEntity("&" + lower + ";"); ok {
		return pyUpperEntity(r)
	}
	return m
}

// wholeEntity decodes m ("&name;") if name; is an HTML5 entity. A result
// that still ends in ";" (other than for &semi;) means html.UnescapeString
// decoded only a legacy prefix, such as "&not" of "&notanentity;", which
// ftfy does not accept.
func wholeEntity(m string) (string, bool) {
	if r, ok := entitiesMissingInGo[m]; ok {
		return r, true
	}
	r := html.UnescapeString(m)
	if r == m || (strings.HasSuffix(r, ";") && m != "&semi;") {
		return "", false
	}
	return r, true
}

// pyUpperEntity is Python's str.upper() for the characters HTML entities
// stand for: the simple mapping, plus the full (multi-character) mappings
// of the entity characters that have one.
func pyUpperEntity(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case 'ß':
			b.WriteString("SS")
		case 'ﬀ':
			b.WriteString("FF")
		case 'ﬁ':
			b.WriteString("FI")
		case 'ﬂ':
			b.WriteString("FL")
		case 'ﬃ':
			b.WriteString("FFI")
		case 'ﬄ':
			b.WriteString("FFL")
		case 'ŉ':
			b.WriteString("ʼN")
		default:
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// numericCharRef decodes the body of "&#body;" as Python's html.unescape
// does when the body is entirely decimal digits or x + hex digits. ok is
// false for any other body, which html.unescape would not decode whole.
func numericCharRef(body string) (string, bool) {
	digits, base := body, 10
	if strings.HasPrefix(body, "x") || strings.HasPrefix(body, "X") {
		digits, base = body[1:], 16
	}
	if digits == "" {
		return "", false
	}
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		isDigit := '0' <= c && c <= '9'
		isHex := isDigit || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
		if (base == 10 && !isDigit) || (base == 16 && !isHex) {
			return "", false
		}
	}
	n, err := strconv.ParseUint(digits, base, 64)
	if err != nil || n > unicode.MaxRune {
		return "\uFFFD", true // too large: html.unescape gives U+FFFD
	}
	return pyCharRef(rune(n)), true
}

// pyCharRef is html._replace_charref for a numeric reference.
func pyCharRef(n rune) string {
	switch {
	case n == 0:
		return "\uFFFD"
	case n == 0x0D:
		return "\r"
	case n >= 0x80 && n <= 0x9F:
		return string(sloppyWindows1252[n-0x80])
	case n >= 0xD800 && n <= 0xDFFF:
		return "\uFFFD"
	case n <= 0x08, n == 0x0B, n >= 0x0E && n <= 0x1F, n == 0x7F,
		n >= 0xFDD0 && n <= 0xFDEF, n&0xFFFE == 0xFFFE:
		return "" // html._invalid_codepoints are dropped
	}
	return string(n)
}

// entitiesMissingInGo are the HTML5 entities that Go's html package leaves
// out (commented out in its table because their value is longer than their
// name) but Python's html.entities.html5 has.
var entitiesMissingInGo = map[string]string{
	"&nLt;": "\u226A\u20D2",
	"&nGt;": "\u226B\u20D2",
}

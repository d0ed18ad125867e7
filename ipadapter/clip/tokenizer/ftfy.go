package tokenizer

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// ftfyClean is CLIPTokenizer's clean-up when ftfy is installed:
// whitespace_clean(ftfy.fix_text(text)).lower(), with fix_text reduced to
// the fixes that are fixed rules (ftfy 6.3.1 defaults):
//
//   - HTML entities ending in ";" are unescaped ("&amp;" → "&", also
//     all-caps names such as "&EACUTE;"), unless a line containing "<" has
//     been seen, which makes ftfy assume the text is HTML;
//   - C1 controls U+0080..U+009F are read as the Windows-1252 bytes they
//     were;
//   - Latin ligatures are split ("ﬁ" → "fi");
//   - fullwidth and halfwidth forms get their normal width ("ＡＢＣ" →
//     "ABC", U+3000 → " ");
//   - curly quotes are straightened ("’" → "'", "“" → "\"");
//   - line breaks become "\n", terminal colour escapes and some control
//     characters are removed, and the text is NFC-normalised;
//
// each line separately, repeated until nothing changes, as ftfy does.
// What is left out is ftfy's mojibake repair (fix_encoding): deciding that
// text is mojibake takes ftfy's statistical "badness" heuristics over ten
// legacy codecs, which are not reproduced, so mojibake is left as it is.
//
// Unlike the default path, ftfy keeps format characters such as ZERO WIDTH
// SPACE/JOINER and does not space out CJK ideographs.
func ftfyClean(text string) string {
	unescape := true
	var b strings.Builder
	for rest := text; rest != ""; {
		line := rest
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			line = rest[:i+1]
		}
		rest = rest[len(line):]
		if strings.Contains(line, "<") {
			unescape = false // ftfy's unescape_html="auto", which sticks for later lines
		}
		b.WriteString(ftfyFixSegment(line, unescape))
	}
	// whitespace_clean: runs of regex \s become one space, then str.strip().
	fields := strings.FieldsFunc(b.String(), isRegexSpace)
	return pyLower(strings.TrimFunc(strings.Join(fields, " "), isPySpace))
}

// ftfyFixSegment is ftfy's fix_and_explain loop for one line, without
// fix_encoding.
func ftfyFixSegment(s string, unescape bool) string {
	for {
		orig := s
		if unescape {
			s = ftfyUnescapeHTML(s)
		}
		s = mapRunes(s, fixC1)
		s = mapRunes(s, fixLigatureAndWidth)
		s = mapRunes(s, uncurlQuote)
		s = fixLineBreaks(s)
		s = removeTerminalEscapes(s)
		s = mapRunes(s, removeFTFYControl)
		s = norm.NFC.String(s)
		if s == orig {
			return s
		}
	}
}

// mapRunes replaces every rune by f's string; f returns ok=false to keep
// the rune as it is.
func mapRunes(s string, f func(r rune) (string, bool)) string {
	var b strings.Builder
	changed := false
	for i, r := range s {
		rep, ok := f(r)
		if !ok {
			if changed {
				b.WriteRune(r)
			}
			continue
		}
		if !changed {
			b.Grow(len(s))
			b.WriteString(s[:i])
			changed = true
		}
		b.WriteString(rep)
	}
	if !changed {
		return s
	}
	return b.String()
}

// sloppyWindows1252 gives the character of each byte 0x80..0x9F in
// Windows-1252; the five bytes it leaves undefined stand for themselves
// (ftfy's "sloppy" codec, also what html.unescape uses for &#128; etc.).
var sloppyWindows1252 = [32]rune{
	0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
	0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
}

// fixC1 is ftfy's fix_c1_controls.
func fixC1(r rune) (string, bool) {
	if r >= 0x80 && r <= 0x9F {
		return string(sloppyWindows1252[r-0x80]), true
	}
	return "", false
}

// latinLigatures is ftfy's LIGATURES table: only Latin ones, not all that
// NFKC would split.
var latinLigatures = map[rune]string{
	'Ĳ': "IJ", 'ĳ': "ij", 'ŉ': "ʼn", 'Ǳ': "DZ", 'ǲ': "Dz", 'ǳ': "dz",
	'Ǆ': "DŽ", 'ǅ': "Dž", 'ǆ': "dž", 'Ǉ': "LJ", 'ǈ': "Lj", 'ǉ': "lj",
	'Ǌ': "NJ", 'ǋ': "Nj", 'ǌ': "nj", 'ﬀ': "ff", 'ﬁ': "fi", 'ﬂ': "fl",
	'ﬃ': "ffi", 'ﬄ': "ffl", 'ﬅ': "ſt", 'ﬆ': "st",
}

// fixLigatureAndWidth is ftfy's fix_latin_ligatures then
// fix_character_width: U+3000 and the halfwidth/fullwidth block
// U+FF01..U+FFEF are replaced by their NFKC form. The two steps touch
// disjoint characters, so doing them in one pass is the same.
func fixLigatureAndWidth(r rune) (string, bool) {
	if s, ok := latinLigatures[r]; ok {
		return s, true
	}
	if r == 0x3000 {
		return " ", true
	}
	if r >= 0xFF01 && r <= 0xFFEF {
		if s := norm.NFKC.String(string(r)); s != string(r) {
			return s, true
		}
	}
	return "", false
}

// uncurlQuote is ftfy's uncurl_quotes.
func uncurlQuote(r rune) (string, bool) {
	switch {
	case r == 0x2BC || (r >= 0x2018 && r <= 0x201B):
		return "'", true
	case r >= 0x201C && r <= 0x201F:
		return "\"", true
	}
	return "", false
}

// fixLineBreaks is ftfy's fix_line_breaks.
func fixLineBreaks(s string) string {
	if !strings.ContainsAny(s, "\r\u2028\u2029\u0085") {
		return s
	}
	return strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n", "\u0085", "\n").Replace(s)
}

// removeTerminalEscapes is ftfy's remove_terminal_escapes: ESC "[", then
// decimal digits (any script, as Python's \d) and ";", then an ASCII letter.
func removeTerminalEscapes(s string) string {
	if !strings.Contains(s, "\x1b[") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "\x1b[") {
			j := i + 2
			for j < len(s) {
				r, n := utf8.DecodeRuneInString(s[j:])
				if r != ';' && !unicode.Is(unicode.Nd, r) {
					break
				}
				j += n
			}
			if j < len(s) && ('a' <= s[j] && s[j] <= 'z' || 'A' <= s[j] && s[j] <= 'Z') {
				i = j + 1
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// removeFTFYControl is ftfy's remove_control_chars: ASCII controls other
// than \t \n \f \r, DEL, the deprecated Arabic format characters, the BOM
// and the interlinear annotation and object replacement characters.
func removeFTFYControl(r rune) (string, bool) {
	switch {
	case r <= 0x08, r == 0x0B, r >= 0x0E && r <= 0x1F, r == 0x7F,
		r >= 0x206A && r <= 0x206F, r == 0xFEFF, r >= 0xFFF9 && r <= 0xFFFC:
		return "", true
	}
	return "", false
}

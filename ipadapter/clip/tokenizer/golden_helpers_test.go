package tokenizer

import "unicode/utf8"

// windows1252Mojibake reports whether text is UTF-8 that was decoded as
// Windows-1252 (every character maps back to one Windows-1252 byte, the
// bytes are valid UTF-8, and that UTF-8 is different text), returning the
// repaired text. This is the kind of mojibake ftfy's fix_encoding repairs
// and WithFTFY does not; the golden test uses it to name the prompts it
// cannot match, from the data rather than from a list of prompt names.
func windows1252Mojibake(text string) (string, bool) {
	byChar := map[rune]byte{}
	for i, r := range sloppyWindows1252 {
		byChar[r] = byte(0x80 + i)
	}
	var raw []byte
	for _, r := range text {
		switch b, ok := byChar[r]; {
		case ok:
			raw = append(raw, b)
		case r < 0x80 || (r >= 0xA0 && r <= 0xFF):
			raw = append(raw, byte(r))
		default:
			return "", false
		}
	}
	if !utf8.Valid(raw) || string(raw) == text {
		return "", false
	}
	return string(raw), true
}

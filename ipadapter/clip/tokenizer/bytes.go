package tokenizer

import "unicode/utf8"

// byteToRune is GPT-2's bytes_to_unicode table, which CLIP's BPE vocabulary
// is written in: every byte of a word's UTF-8 encoding becomes one printable
// code point, so that BPE never sees whitespace or control characters and no
// byte is ever unknown. Printable Latin-1 bytes ('!'..'~', '¡'..'¬', '®'..'ÿ')
// map to themselves; the 68 others map, in increasing byte order, to U+0100,
// U+0101, ….
var byteToRune [256]rune

// runeToByte inverts byteToRune for Decode.
var runeToByte = map[rune]byte{}

func init() {
	next := rune(256)
	for b := 0; b < 256; b++ {
		printable := (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)
		if printable {
			byteToRune[b] = rune(b)
		} else {
			byteToRune[b] = next
			next++
		}
		runeToByte[byteToRune[b]] = byte(b)
	}
}

// byteEncode maps a pre-tokenised word to the byte-level alphabet.
func byteEncode(word string) string {
	buf := make([]byte, 0, 2*len(word))
	for i := 0; i < len(word); i++ {
		buf = utf8.AppendRune(buf, byteToRune[word[i]])
	}
	return string(buf)
}

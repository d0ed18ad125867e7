package ipadapter

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"unicode/utf8"
)

// PNG text chunks. image/png writes no metadata, so the encoded stream is
// re-assembled with iTXt chunks (UTF-8 text: prompts are not Latin-1)
// right after IHDR, where readers that stop early still find them. Each
// chunk is length, type, data, CRC-32 of type+data (PNG spec §5.3).

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// TextChunk is one keyword/value pair of a PNG's text metadata.
type TextChunk struct {
	Keyword, Text string
}

// encodePNG encodes img as PNG with the given text chunks.
func encodePNG(img image.Image, texts []TextChunk) ([]byte, error) {
	var raw bytes.Buffer
	if err := png.Encode(&raw, img); err != nil {
		return nil, err
	}
	data := raw.Bytes()
	if !bytes.HasPrefix(data, pngSignature) {
		return nil, errors.New("image/png wrote no PNG signature")
	}
	// IHDR is always the first chunk: 8-byte signature, then 4+4+13+4 bytes.
	const ihdrEnd = 8 + 4 + 4 + 13 + 4
	if len(data) < ihdrEnd || string(data[12:16]) != "IHDR" {
		return nil, errors.New("image/png wrote no IHDR first")
	}
	var out bytes.Buffer
	out.Grow(len(data) + 256)
	out.Write(data[:ihdrEnd])
	for _, t := range texts {
		chunk, err := iTXtChunk(t)
		if err != nil {
			return nil, err
		}
		out.Write(chunk)
	}
	out.Write(data[ihdrEnd:])
	return out.Bytes(), nil
}

// iTXtChunk encodes an uncompressed iTXt chunk: keyword, NUL, compression
// flag 0, method 0, empty language tag and translated keyword (each
// NUL-terminated), then the UTF-8 text.
func iTXtChunk(t TextChunk) ([]byte, error) {
	if n := len(t.Keyword); n == 0 || n > 79 {
		return nil, fmt.Errorf("PNG text keyword %q must be 1 to 79 bytes", t.Keyword)
	}
	for _, c := range []byte(t.Keyword) {
		if c < 32 || c > 126 {
			return nil, fmt.Errorf("PNG text keyword %q must be printable Latin-1", t.Keyword)
		}
	}
	if !utf8.ValidString(t.Text) {
		return nil, fmt.Errorf("PNG text %q is not valid UTF-8", t.Keyword)
	}
	var body bytes.Buffer
	body.WriteString(t.Keyword)
	body.Write([]byte{0, 0, 0, 0, 0})
	body.WriteString(t.Text)
	return pngChunk("iTXt", body.Bytes()), nil
}

func pngChunk(typ string, data []byte) []byte {
	out := make([]byte, 0, 12+len(data))
	out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
	out = append(out, typ...)
	out = append(out, data...)
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	return binary.BigEndian.AppendUint32(out, crc.Sum32())
}

// ReadPNGText returns the text chunks (tEXt and uncompressed iTXt) of a
// PNG stream, in file order, to read back the metadata SavePNG wrote.
func ReadPNGText(r io.Reader) ([]TextChunk, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(data, pngSignature) {
		return nil, errors.New("not a PNG file")
	}
	var out []TextChunk
	for pos := len(pngSignature); pos+12 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[pos:]))
		if n < 0 || pos+12+n > len(data) {
			return nil, errors.New("truncated PNG chunk")
		}
		typ, body := string(data[pos+4:pos+8]), data[pos+8:pos+8+n]
		if crc32.ChecksumIEEE(data[pos+4:pos+8+n]) != binary.BigEndian.Uint32(data[pos+8+n:]) {
			return nil, fmt.Errorf("PNG chunk %s fails its CRC", typ)
		}
		pos += 12 + n
		switch typ {
		case "tEXt":
			if k, v, ok := bytes.Cut(body, []byte{0}); ok {
				out = append(out, TextChunk{Keyword: string(k), Text: latin1(v)})
			}
		case "iTXt":
			if t, ok := parseITXt(body); ok {
				out = append(out, t)
			}
		case "IEND":
			return out, nil
		}
	}
	return nil, errors.New("PNG file has no IEND chunk")
}

// parseITXt reads an uncompressed iTXt chunk (compressed ones are skipped).
func parseITXt(body []byte) (TextChunk, bool) {
	k, rest, ok := bytes.Cut(body, []byte{0})
	if !ok || len(rest) < 2 || rest[0] != 0 {
		return TextChunk{}, false
	}
	rest = rest[2:]
	for range 2 { // language tag, translated keyword
		if _, rest, ok = bytes.Cut(rest, []byte{0}); !ok {
			return TextChunk{}, false
		}
	}
	return TextChunk{Keyword: string(k), Text: string(rest)}, true
}

func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

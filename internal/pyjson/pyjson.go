// Package pyjson reads JSON written by Python's json module, which by
// default writes the non-standard tokens NaN, Infinity and -Infinity (for
// example diffusers' scheduler configs store lambda_min_clipped: -Infinity).
// Go's encoding/json rejects them, so they are turned into the strings
// "NaN", "Infinity" and "-Infinity" first; Float decodes those back.
package pyjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Unmarshal is json.Unmarshal after quoting Python's non-finite tokens.
func Unmarshal(data []byte, v any) error {
	return json.Unmarshal(Sanitize(data), v)
}

// Sanitize quotes bare NaN, Infinity and -Infinity tokens outside strings.
func Sanitize(data []byte) []byte {
	if !bytes.Contains(data, []byte("NaN")) && !bytes.Contains(data, []byte("Infinity")) {
		return data
	}
	var out bytes.Buffer
	out.Grow(len(data) + 16)
	inString, escaped := false, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			out.WriteByte(c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		if c == '"' {
			inString = true
			out.WriteByte(c)
			continue
		}
		replaced := false
		for _, tok := range []string{"-Infinity", "Infinity", "NaN"} {
			if bytes.HasPrefix(data[i:], []byte(tok)) {
				out.WriteString(strconv.Quote(tok))
				i += len(tok) - 1
				replaced = true
				break
			}
		}
		if !replaced {
			out.WriteByte(c)
		}
	}
	return out.Bytes()
}

// Float is a float64 that also decodes "NaN", "Infinity" and "-Infinity".
type Float float64

// UnmarshalJSON implements json.Unmarshaler.
func (f *Float) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		switch s {
		case "NaN":
			*f = Float(math.NaN())
		case "Infinity":
			*f = Float(math.Inf(1))
		case "-Infinity":
			*f = Float(math.Inf(-1))
		default:
			return fmt.Errorf("pyjson: %q is not a number", s)
		}
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = Float(v)
	return nil
}

package wire

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
)

// Floats is a float32 slice that travels as base64 of its little-endian
// bytes: an attention map or a latent tensor is megabytes of numbers, and
// decimal JSON would be four times larger and lossy unless printed in full.
type Floats []float32

// MarshalJSON writes the values as a base64 string.
func (f Floats) MarshalJSON() ([]byte, error) {
	if f == nil {
		return []byte("null"), nil
	}
	raw := make([]byte, 4*len(f))
	for i, v := range f {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	return json.Marshal(base64.StdEncoding.EncodeToString(raw))
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (f *Floats) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = nil
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("floats: %w", err)
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return fmt.Errorf("floats: %w", err)
	}
	if len(raw)%4 != 0 {
		return fmt.Errorf("floats: %d bytes is not a whole number of float32s", len(raw))
	}
	out := make(Floats, len(raw)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	*f = out
	return nil
}

// Array is a row-major float32 array with its shape: latents, decoded
// images, embeddings.
type Array struct {
	Shape []int  `json:"shape"`
	Data  Floats `json:"data"`
}

// Check reports whether the shape accounts for every value.
func (a *Array) Check() error {
	n := 1
	for _, d := range a.Shape {
		if d < 0 {
			return fmt.Errorf("array shape %v has a negative dimension", a.Shape)
		}
		n *= d
	}
	if n != len(a.Data) {
		return fmt.Errorf("array shape %v needs %d values, has %d", a.Shape, n, len(a.Data))
	}
	return nil
}

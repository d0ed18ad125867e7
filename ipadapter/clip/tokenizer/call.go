package tokenizer

import "fmt"

// Padding says how Call pads its rows.
type Padding int

const (
	// PadToMaxLength pads every row to MaxLength: padding="max_length",
	// what SDXL's encode_prompt uses.
	PadToMaxLength Padding = iota
	// PadToLongest pads to the longest row of the batch: padding="longest".
	PadToLongest
	// NoPadding leaves each row at its own length.
	NoPadding
)

// CallOptions are the arguments of tokenizer(texts, ...). The zero value is
// SDXL's call: padding="max_length", max_length=model_max_length (77),
// truncation=True.
type CallOptions struct {
	Padding Padding
	// MaxLength is the row length for padding and truncation, BOS and EOS
	// included; 0 means the tokenizer's MaxLength().
	MaxLength int
	// NoTruncation keeps every token, so rows can be longer than MaxLength
	// (truncation=False).
	NoTruncation bool
}

// Encoding is what Call returns: one row per text.
type Encoding struct {
	InputIDs [][]int
	// AttentionMask is 1 for BOS, the text's tokens and EOS, 0 for padding.
	AttentionMask [][]int
	// Truncated reports the rows that lost tokens to truncation (diffusers
	// only logs a warning for them).
	Truncated []bool
}

// Call tokenizes a batch like transformers' tokenizer(texts, padding=...,
// max_length=..., truncation=...): each row is BOS + ids + EOS; truncation
// drops ids from the end so that EOS stays last (at position 76 for SDXL);
// padding appends the Pad id on the right with attention mask 0.
func (t *Tokenizer) Call(texts []string, opts CallOptions) (*Encoding, error) {
	maxLen := opts.MaxLength
	if maxLen == 0 {
		maxLen = t.maxLength
	}
	needsMax := opts.Padding == PadToMaxLength || !opts.NoTruncation
	switch {
	case maxLen < 0:
		return nil, fmt.Errorf("tokenizer call: negative max length %d", maxLen)
	case needsMax && maxLen == 0:
		return nil, fmt.Errorf("tokenizer call: the tokenizer has no model_max_length; set CallOptions.MaxLength or use NoTruncation with PadToLongest or NoPadding")
	case !opts.NoTruncation && maxLen < 2:
		return nil, fmt.Errorf("tokenizer call: max length %d cannot hold BOS and EOS", maxLen)
	case opts.Padding < PadToMaxLength || opts.Padding > NoPadding:
		return nil, fmt.Errorf("tokenizer call: unknown padding %d", opts.Padding)
	}
	enc := &Encoding{
		InputIDs:      make([][]int, len(texts)),
		AttentionMask: make([][]int, len(texts)),
		Truncated:     make([]bool, len(texts)),
	}
	width := 0
	for i, text := range texts {
		ids := t.Encode(text)
		if !opts.NoTruncation && len(ids) > maxLen-2 {
			ids = ids[:maxLen-2]
			enc.Truncated[i] = true
		}
		row := make([]int, 0, max(len(ids)+2, maxLen))
		row = append(row, t.BOS)
		row = append(row, ids...)
		row = append(row, t.EOS)
		enc.InputIDs[i] = row
		width = max(width, len(row))
	}
	switch opts.Padding {
	case PadToMaxLength:
		width = maxLen
	case NoPadding:
		width = 0
	}
	for i, row := range enc.InputIDs {
		mask := make([]int, len(row), max(len(row), width))
		for j := range mask {
			mask[j] = 1
		}
		for len(row) < width {
			row = append(row, t.Pad)
			mask = append(mask, 0)
		}
		enc.InputIDs[i], enc.AttentionMask[i] = row, mask
	}
	return enc, nil
}

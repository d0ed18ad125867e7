// Package weights reads and writes the tensor files that checkpoints come in:
// safetensors (lazy, memory-mapped) and PyTorch .bin files (zip or legacy
// pickle, read without executing pickle code).
//
// Both formats are exposed through one interface, Source, so a model never
// cares which format its weights came from: it asks for a tensor by its
// checkpoint name and gets the raw little-endian bytes, or a GoMLX tensor
// converted to the dtype it computes in.
//
// Every reader validates what it is given before trusting it (header sizes,
// offsets, byte counts, dtypes) and reports a damaged file with an error that
// says what is wrong and how to fix it — including the common case of a
// Git-LFS pointer file checked out instead of the weights.
package weights

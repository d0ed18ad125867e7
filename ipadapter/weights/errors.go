package weights

import (
	"errors"
	"fmt"
)

// Sentinel errors for the kinds of failure a caller may want to act on (a
// downloader re-fetches a truncated file or a Git-LFS pointer; a UI warns
// about an unsafe pickle). Match them with errors.Is; the error text itself
// says what is wrong with which file and tensor.
var (
	// ErrLFSPointer: the file is a Git-LFS pointer, not the weights.
	ErrLFSPointer = errors.New("this is a Git LFS pointer file, not the weights")
	// ErrTruncated: the file ends before the data it declares.
	ErrTruncated = errors.New("file is truncated")
	// ErrCorrupt: the file's structure is inconsistent (bad header, bad
	// offsets, overlapping tensors, a damaged pickle stream...).
	ErrCorrupt = errors.New("file is corrupt")
	// ErrUnsafePickle: a PyTorch pickle asks for a Python global outside the
	// allow-list of a plain weights file; it is never resolved or run.
	ErrUnsafePickle = errors.New("pickle needs a global that is not allowed in a weights file")
	// ErrUnsupported: a well-formed file uses a feature this package does
	// not read (a dtype, a tensor kind, a format variant).
	ErrUnsupported = errors.New("unsupported")
	// ErrUnknownFormat: the content is not a format this package reads.
	ErrUnknownFormat = errors.New("unknown weights file format")
)

// kindError is an error with a free-form message that still matches one of
// the sentinels above through errors.Is, so messages can read naturally
// ("header length 12 is larger than the file...") without a fixed prefix.
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

// errorf makes a kindError; %w verbs in format are not supported (use
// fmt.Errorf around it to add context).
func errorf(kind error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

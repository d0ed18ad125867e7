package weights

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// format is a weights file format, as told from the first bytes.
type format int

const (
	formatUnknown format = iota
	formatSafetensors
	formatTorch // zip or legacy; OpenTorch tells them apart
	formatIndex // a sharded checkpoint's *.index.json
)

// sniffLen is how much of a file Open looks at.
const sniffLen = 512

// Open opens a weights file of any format this package reads, chosen from
// its content, not its name: safetensors, PyTorch zip or legacy .bin/.pt,
// or a sharded checkpoint's index (*.safetensors.index.json,
// pytorch_model.bin.index.json), whose shards are opened together.
//
// A Git-LFS pointer checked out instead of the weights, an HTML error page
// saved instead of the file, and an empty or unknown file each give an error
// that says so.
func Open(path string) (Source, error) {
	head, size, err := readHead(path)
	if err != nil {
		return nil, err
	}
	f, err := sniff(head, size)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	switch f {
	case formatSafetensors:
		return OpenSafetensors(path)
	case formatTorch:
		return OpenTorch(path)
	case formatIndex:
		return OpenSharded(path)
	}
	return nil, fmt.Errorf("opening %s: %w", path, errorf(ErrUnknownFormat, "unknown format"))
}

func readHead(path string) ([]byte, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("opening weights file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("opening weights file %s: %w", path, err)
	}
	if st.IsDir() {
		return nil, 0, fmt.Errorf("opening weights file %s: it is a folder; give the .safetensors, .bin or .index.json file inside it", path)
	}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, 0, fmt.Errorf("reading %s: %w", path, err)
	}
	return head[:n], st.Size(), nil
}

// legacyTorchProto01 starts a legacy torch file pickled with protocol 0 or
// 1: the magic number as a text LONG.
var legacyTorchProto01 = []byte("L119547037146038801333356")

// sniff tells the format from the first bytes of a file of the given size.
func sniff(head []byte, size int64) (format, error) {
	if err := checkLFSPointer(head); err != nil {
		return formatUnknown, err
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n\ufeff")
	lower := bytes.ToLower(trimmed)
	switch {
	case size == 0:
		return formatUnknown, errorf(ErrTruncated, "the file is empty: the download was interrupted; download it again")
	case isZip(head):
		return formatTorch, nil
	case len(head) > 0 && head[0] == 0x80, bytes.HasPrefix(head, legacyTorchProto01):
		return formatTorch, nil
	case bytes.HasPrefix(lower, []byte("<!doctype html")), bytes.HasPrefix(lower, []byte("<html")):
		return formatUnknown, errorf(ErrUnknownFormat, "this is an HTML page (an error or login page saved in place of the file), not weights: download the file again, with a token if the repository is gated")
	case len(head) > 8 && head[8] == '{' && binary.LittleEndian.Uint64(head) < 1<<40:
		// Checked before JSON: the header length's low byte may be '{'.
		// JSON text never has a plausible length in its first 8 bytes.
		return formatSafetensors, nil
	case bytes.HasPrefix(trimmed, []byte("{")):
		return formatIndex, nil
	case len(head) >= 8 && binary.LittleEndian.Uint64(head) < 1<<40:
		// A plausible header length: let the safetensors reader say what
		// is wrong with the rest.
		return formatSafetensors, nil
	case size < 8:
		return formatUnknown, errorf(ErrTruncated, "the file has only %d bytes, too short for any weights format: it is truncated; download it again", size)
	}
	return formatUnknown, errorf(ErrUnknownFormat,
		"unknown weights file format: expected safetensors (an 8-byte little-endian header length, then a JSON header starting with '{'), "+
			"a PyTorch zip checkpoint (starting with \"PK\\x03\\x04\"), a legacy PyTorch pickle (starting with 0x80), or a sharded checkpoint's .index.json; "+
			"the file starts with % x", head[:min(len(head), 16)])
}

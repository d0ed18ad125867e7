package weights

import (
	"fmt"
	"slices"

	"github.com/gomlx/compute/dtypes"
)

// Info describes one tensor of a checkpoint without reading its data.
type Info struct {
	Name  string
	DType dtypes.DType
	Shape []int // PyTorch order; empty for a 0-d tensor.
}

// NumElements is the product of the shape's dimensions (1 for a 0-d tensor).
func (i Info) NumElements() int {
	n := 1
	for _, d := range i.Shape {
		n *= d
	}
	return n
}

// ByteSize is the number of bytes the tensor's data takes in the file.
func (i Info) ByteSize() int64 { return int64(i.NumElements()) * int64(i.DType.Size()) }

func (i Info) String() string { return fmt.Sprintf("%s %s%v", i.Name, i.DType, i.Shape) }

// Source is a set of named tensors read from one or more checkpoint files.
//
// Names are the checkpoint's own keys (for example
// "down_blocks.0.resnets.0.conv1.weight"). Data is returned as raw
// little-endian bytes in the tensor's own dtype, row-major (C order).
type Source interface {
	// Infos lists every tensor, sorted by name.
	Infos() []Info
	// Info returns the description of one tensor.
	Info(name string) (Info, bool)
	// Bytes returns the tensor's data. The slice may point into a memory
	// mapping: it is valid until Close and must not be modified.
	Bytes(name string) ([]byte, error)
	// Metadata returns the file's free-form string metadata (safetensors
	// "__metadata__"), or nil.
	Metadata() map[string]string
	// Close releases the files. Slices returned by Bytes become invalid.
	Close() error
}

// Names returns the sorted tensor names of a source.
func Names(src Source) []string {
	infos := src.Infos()
	names := make([]string, len(infos))
	for i, info := range infos {
		names[i] = info.Name
	}
	return names
}

func sortInfos(infos []Info) {
	slices.SortFunc(infos, func(a, b Info) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
}

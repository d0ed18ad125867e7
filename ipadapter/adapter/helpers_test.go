package adapter

import (
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
)

// openFile opens an adapter file, closing it when the test ends.
func openFile(t *testing.T, path string) *File {
	t.Helper()
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// caseAdapters opens the adapter files of a golden case, in load order.
func caseAdapters(t *testing.T, c *golden.Case) []*File {
	t.Helper()
	paths, err := c.ResourcePaths("adapters")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("case %s names no adapters", c.ID)
	}
	files := make([]*File, len(paths))
	for i, p := range paths {
		files[i] = openFile(t, p)
	}
	return files
}

// caseTensor reads a float tensor of a case as a host tensor.
func caseTensor(t *testing.T, c *golden.Case, name string) *tensors.Tensor {
	t.Helper()
	v, shape, err := c.Float32s(name)
	if err != nil {
		t.Fatal(err)
	}
	return tensors.FromFlatDataAndDimensions(v, shape...)
}

// wantError fails unless err is non-nil and mentions every fragment.
func wantError(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one mentioning %q", fragments)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not mention %q", err, f)
		}
	}
}

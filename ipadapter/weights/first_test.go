package weights_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlx/compute/dtypes"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

func TestOpenFirstSafetensorsPrefersEarlierNames(t *testing.T) {
	dir := t.TempDir()
	one := []weights.Named{{Name: "x", DType: dtypes.Float32, Shape: []int{1}, Data: make([]byte, 4)}}
	if err := weights.WriteSafetensors(filepath.Join(dir, "b.safetensors"), one, nil); err != nil {
		t.Fatal(err)
	}
	src, path, err := weights.OpenFirstSafetensors(dir, []string{"a.safetensors", "b.safetensors"})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if filepath.Base(path) != "b.safetensors" {
		t.Errorf("opened %s", path)
	}
	if _, _, err := weights.OpenFirstSafetensors(dir, []string{"a.safetensors"}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing weights gave %v, want os.ErrNotExist", err)
	}
}

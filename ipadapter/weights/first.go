package weights

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// OpenFirstSafetensors opens the first of names present in dir, in order of
// preference (a component folder's "diffusion_pytorch_model.safetensors",
// then its ".fp16" variant, say), and returns its path too. When none is
// there the error wraps os.ErrNotExist and lists what was looked for.
func OpenFirstSafetensors(dir string, names []string) (Source, string, error) {
	for _, name := range names {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			continue
		}
		src, err := OpenSafetensors(path)
		return src, path, err
	}
	return nil, "", fmt.Errorf("no weights in %s (looked for %v): %w", dir, names, os.ErrNotExist)
}

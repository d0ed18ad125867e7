package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/atomicfile"

	"github.com/gomlx/compute/dtypes"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// checkOutput checks, before the long work, that path can be written
// where asked: the right extension, an existing folder.
func checkOutput(flagName, path, ext string) error {
	if path == "" {
		return usagef("--%s needs a file name", flagName)
	}
	if !strings.EqualFold(filepath.Ext(path), ext) {
		return usagef("--%s %s: the file name must end in %s", flagName, path, ext)
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return usagef("--%s %s: folder %s does not exist", flagName, path, dir)
	}
	return nil
}

// numbered is path with "_<i>" before its extension: out.png → out_0.png.
func numbered(path string, i int) string {
	ext := filepath.Ext(path)
	return fmt.Sprintf("%s_%d%s", strings.TrimSuffix(path, ext), i, ext)
}

// imagePaths are the files of n images saved as --out path: path itself
// for one image, path_0, path_1, … for several.
func imagePaths(path string, n int) []string {
	if n == 1 {
		return []string{path}
	}
	paths := make([]string, n)
	for i := range paths {
		paths[i] = numbered(path, i)
	}
	return paths
}

// latentsTensor names the latents in a --latents file.
const latentsTensor = "latents"

// saveLatents writes the final latents [B, 4, h, w] (the UNet's space,
// before the VAE) as float32 safetensors, with the run's metadata, so they
// can be decoded or compared elsewhere (safetensors.torch.load_file).
func saveLatents(path string, lat *ipadapter.Array, meta ipadapter.Metadata) error {
	data := make([]byte, 4*len(lat.Data))
	for i, v := range lat.Data {
		binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(v))
	}
	js, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	t := weights.Named{Name: latentsTensor, DType: dtypes.Float32, Shape: lat.Shape, Data: data}
	return weights.WriteSafetensors(path, []weights.Named{t}, map[string]string{ipadapter.MetadataKeyword: string(js)})
}

// savePNG writes img to path as a PNG, atomically (package atomicfile).
func savePNG(path string, img image.Image) error {
	return atomicfile.Write(path, func(w io.Writer) error { return png.Encode(w, img) })
}

package weights_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// splitIntoShards writes src's tensors into two shard files (in both
// formats) plus a diffusers-style index, and returns the index path.
func splitIntoShards(t *testing.T, src weights.Source) string {
	t.Helper()
	dir := t.TempDir()
	var first, second []weights.Named
	weightMap := map[string]string{}
	for i, info := range src.Infos() {
		data, err := src.Bytes(info.Name)
		if err != nil {
			t.Fatal(err)
		}
		n := weights.Named{Name: info.Name, DType: info.DType, Shape: info.Shape, Data: data}
		if i%2 == 0 {
			first = append(first, n)
			weightMap[info.Name] = "model-00001-of-00002.safetensors"
		} else {
			second = append(second, n)
			weightMap[info.Name] = "model-00002-of-00002.bin"
		}
	}
	if err := weights.WriteSafetensors(filepath.Join(dir, "model-00001-of-00002.safetensors"), first, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	// The second shard is a torch checkpoint: indexes may mix readers.
	tmp := filepath.Join(t.TempDir(), "second.safetensors")
	if err := weights.WriteSafetensors(tmp, second, nil); err != nil {
		t.Fatal(err)
	}
	st := mustOpen(t, tmp)
	c := ckptFromSource(t, st, false)
	if err := os.WriteFile(filepath.Join(dir, "model-00002-of-00002.bin"), c.zipBytes(t), 0o644); err != nil {
		t.Fatal(err)
	}
	return writeIndex(t, dir, weightMap)
}

func TestShardedIndex(t *testing.T) {
	whole := mustOpen(t, filepath.Join(goldenDir(t), "tiny-sdxl", "text_encoder", "model.safetensors"))
	index := splitIntoShards(t, whole)
	for name, open := range map[string]func(string) (weights.Source, error){"OpenSharded": weights.OpenSharded, "Open": weights.Open} {
		t.Run(name, func(t *testing.T) {
			src, err := open(index)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			requireSameTensors(t, src, whole)
			if src.Metadata()["format"] != "pt" {
				t.Errorf("metadata %v", src.Metadata())
			}
		})
	}
}

func TestOpenAll(t *testing.T) {
	dir := filepath.Join(goldenDir(t), "tiny-sdxl")
	te := filepath.Join(dir, "text_encoder", "model.safetensors")
	vae := filepath.Join(dir, "vae", "diffusion_pytorch_model.safetensors")
	src, err := weights.OpenAll(te, vae)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	want := append(weights.Names(mustOpen(t, te)), weights.Names(mustOpen(t, vae))...)
	slices.Sort(want)
	if got := weights.Names(src); !slices.Equal(got, want) {
		t.Fatalf("OpenAll names differ: %d vs %d", len(got), len(want))
	}
	if _, err := src.Bytes("encoder.conv_in.weight"); err != nil {
		t.Error(err)
	}
	if _, err := src.Bytes("no.such.tensor"); err == nil || !strings.Contains(err.Error(), "no.such.tensor") {
		t.Errorf("missing tensor: %v", err)
	}
	if _, err := weights.OpenAll(); err == nil {
		t.Error("OpenAll() with no files succeeded")
	}
}

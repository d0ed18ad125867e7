package ipadapter

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// readAll reads every tensor of src in order, returning copies.
func readAll(t *testing.T, src weights.Source) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, info := range src.Infos() {
		b, err := src.Bytes(info.Name)
		if err != nil {
			t.Fatal(err)
		}
		out[info.Name] = slices.Clone(b)
	}
	return out
}

// TestReleasingSourceKeepsData reads a memory-mapped checkpoint through
// releasingSource: every tensor, read again after its pages were
// released, still has its bytes (a read-only file mapping re-reads them).
func TestReleasingSourceKeepsData(t *testing.T) {
	path := filepath.Join(goldenModelDir(t), "unet", "diffusion_pytorch_model.safetensors")
	plain, err := weights.OpenSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	want := readAll(t, plain)

	mapped, err := weights.OpenSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	src := newReleasingSource(mapped)
	first := readAll(t, src)
	again := readAll(t, src) // every tensor's pages were released in between
	for name, w := range want {
		if !bytes.Equal(first[name], w) || !bytes.Equal(again[name], w) {
			t.Fatalf("%s changed after its pages were released", name)
		}
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestReleasingSourceLeavesHeapAlone: a source whose bytes live on the Go
// heap (parsed from memory, or converted) must never be released, which
// would zero it.
func TestReleasingSourceLeavesHeapAlone(t *testing.T) {
	path := filepath.Join(goldenModelDir(t), "vae", "diffusion_pytorch_model.safetensors")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := weights.ParseSafetensors(data)
	if err != nil {
		t.Fatal(err)
	}
	src := newReleasingSource(parsed)
	var held [][]byte
	var copies [][]byte
	for _, info := range src.Infos() {
		b, err := src.Bytes(info.Name)
		if err != nil {
			t.Fatal(err)
		}
		held, copies = append(held, b), append(copies, slices.Clone(b))
	}
	src.Close()
	for i := range held {
		if !bytes.Equal(held[i], copies[i]) {
			t.Fatalf("tensor %d of a heap source was modified by releasing", i)
		}
	}
}

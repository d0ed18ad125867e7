package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
)

// TestAdaptersFromTwoFolders: two --ip-adapter values in two different
// folders (each adapter its own load_ip_adapter source) make the image
// the same two files make from one folder, and the metadata names each
// file where it was.
func TestAdaptersFromTwoFolders(t *testing.T) {
	f := fx(t)
	dir := t.TempDir()
	plain := linkFile(t, f.plain, filepath.Join(dir, "first", filepath.Base(f.plain)))
	plus := linkFile(t, f.plusBin, filepath.Join(dir, "second", "models", filepath.Base(f.plusBin)))
	args := func(out string, adapters ...string) []string {
		a := []string{"generate", "--model", f.model, "--prompt", "a cat", "--steps", "2", "--width", "64", "--height", "64",
			"--seed", "4", "--scale", "0.7", "--scale", "0.4", "--ip-image", f.imageA, "--ip-image", f.imageB, "--quiet", "--out", out}
		for _, ad := range adapters {
			a = append(a, "--ip-adapter", ad)
		}
		return a
	}
	oneFolder, twoFolders := filepath.Join(dir, "one.png"), filepath.Join(dir, "two.png")
	runOK(t, args(oneFolder, f.plain, f.plusBin)...)
	runOK(t, args(twoFolders, plain, plus)...)
	if !sameImage(readPNG(t, twoFolders), readPNG(t, oneFolder)) {
		t.Error("two adapters from two folders give another image than from one folder")
	}
	meta, err := ipadapter.ReadMetadata(twoFolders)
	if err != nil {
		t.Fatal(err)
	}
	var sources []string
	for _, m := range meta.Models {
		if strings.HasPrefix(m.Component, "ip_adapter.") {
			sources = append(sources, m.Source)
		}
	}
	if len(sources) != 2 || !strings.Contains(sources[0], filepath.Join("first", filepath.Base(f.plain))) ||
		!strings.Contains(sources[1], filepath.Join("second", "models", filepath.Base(f.plusBin))) {
		t.Errorf("metadata adapter sources %q, want the first and second folders' files", sources)
	}
}

// linkFile makes path a symbolic link to target (a copy where links are
// not allowed) and returns path.
func linkFile(t *testing.T, target, path string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, path); err == nil {
		return path
	}
	data, err := os.ReadFile(target)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

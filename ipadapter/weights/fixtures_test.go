package weights_test

import (
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// goldenDir is the repository's fixture copy (testdata/golden at the
// module root): these tests read particular files of it.
func goldenDir(t testing.TB) string { return golden.Repo(t) }

// adapterTwins returns the IP-Adapter fixtures that exist as both .bin and
// .safetensors, without extension.
func adapterTwins(t testing.TB) []string {
	t.Helper()
	dir := filepath.Join(goldenDir(t), "ip-adapter", "sdxl_models")
	bins, err := filepath.Glob(filepath.Join(dir, "*.bin"))
	if err != nil || len(bins) == 0 {
		t.Fatalf("no .bin fixtures in %s (%v)", dir, err)
	}
	var out []string
	for _, b := range bins {
		out = append(out, strings.TrimSuffix(b, ".bin"))
	}
	return out
}

// fixtureWeightFiles lists every .safetensors and .bin under the fixture
// folder, case files aside.
func fixtureWeightFiles(t testing.TB) []string {
	t.Helper()
	root := goldenDir(t)
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p == filepath.Join(root, "cases") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".safetensors") || strings.HasSuffix(p, ".bin")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	return files
}

func mustOpen(t testing.TB, path string) weights.Source {
	t.Helper()
	src, err := weights.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

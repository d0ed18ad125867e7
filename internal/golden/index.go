package golden

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/pyjson"
)

// Format is the index format this harness understands.
const Format = "sdxl-ipadapter-golden/1"

// EnvDir is the environment variable that selects another fixture folder.
const EnvDir = "IPADAPTER_GOLDEN_DIR"

// Index is a parsed index.json.
type Index struct {
	Dir      string
	Format   string            `json:"format"`
	Versions map[string]string `json:"versions"`
	Cases    []*Case           `json:"cases"`
}

// TensorSpec describes one input or output tensor of a case.
type TensorSpec struct {
	Shape  []int   `json:"shape"`
	DType  string  `json:"dtype"`
	MaxAbs float64 `json:"max_abs"`
	Desc   string  `json:"desc"`
}

// Case is one entry of the index.
type Case struct {
	ID         string                     `json:"id"`
	Group      string                     `json:"group"`
	File       string                     `json:"file"`
	JSON       string                     `json:"json"`
	Resources  map[string]json.RawMessage `json:"resources"`
	Inputs     map[string]TensorSpec      `json:"inputs"`
	Outputs    map[string]TensorSpec      `json:"outputs"`
	Call       string                     `json:"call"`
	Params     map[string]json.RawMessage `json:"params"`
	Tolerances json.RawMessage            `json:"tolerance"`
	F32vsF64   float64                    `json:"f32_vs_f64_max_abs_diff"`
	Notes      string                     `json:"notes"`

	dir string
}

// Dir returns the fixture folder the golden tests run on:
// $IPADAPTER_GOLDEN_DIR, or else RepoDir.
func Dir() (string, error) {
	if d := os.Getenv(EnvDir); d != "" {
		return filepath.Abs(d)
	}
	return RepoDir()
}

// RepoDir returns the repository's own fixture copy, testdata/golden at
// the root of this module (found by walking up to go.mod), whatever
// IPADAPTER_GOLDEN_DIR says. Unit tests that need particular files (the
// tiny model folder, one adapter file) use it; tests driven by the index
// use Dir, so another fixture set of the same format can replace it.
func RepoDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "testdata", "golden"), nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s: set %s to the fixture folder", wd, EnvDir)
		}
	}
}

// LoadIndex reads and checks the index.json in dir.
func LoadIndex(dir string) (*Index, error) {
	data, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		return nil, fmt.Errorf("reading golden index: %w (set %s to a fixture folder)", err, EnvDir)
	}
	ix := &Index{Dir: dir}
	if err := pyjson.Unmarshal(data, ix); err != nil {
		return nil, fmt.Errorf("parsing %s/index.json: %w", dir, err)
	}
	if ix.Format != Format {
		return nil, fmt.Errorf("%s/index.json has format %q, this harness reads %q", dir, ix.Format, Format)
	}
	seen := map[string]bool{}
	for _, c := range ix.Cases {
		if seen[c.ID] {
			return nil, fmt.Errorf("%s/index.json: duplicate case id %q", dir, c.ID)
		}
		seen[c.ID] = true
		c.dir = dir
	}
	return ix, nil
}

var (
	indexOnce sync.Once
	indexVal  *Index
	indexErr  error
)

// Load returns the fixture index for this test run (read once per process),
// failing the test if it cannot be read.
func Load(t testing.TB) *Index {
	t.Helper()
	indexOnce.Do(func() {
		dir, err := Dir()
		if err != nil {
			indexErr = err
			return
		}
		indexVal, indexErr = LoadIndex(dir)
	})
	if indexErr != nil {
		t.Fatal(indexErr)
	}
	return indexVal
}

// Group returns the cases of one group, in index order.
func (ix *Index) Group(group string) []*Case {
	var cs []*Case
	for _, c := range ix.Cases {
		if c.Group == group {
			cs = append(cs, c)
		}
	}
	return cs
}

// Groups lists the case groups present, in order of first appearance.
func (ix *Index) Groups() []string {
	var gs []string
	seen := map[string]bool{}
	for _, c := range ix.Cases {
		if !seen[c.Group] {
			seen[c.Group] = true
			gs = append(gs, c.Group)
		}
	}
	return gs
}

// ForGroup runs fn as a subtest named by the case id for every case of the
// group. A fixture set without such cases skips the test, saying so.
func ForGroup(t *testing.T, group string, fn func(t *testing.T, c *Case)) {
	t.Helper()
	cases := Load(t).Group(group)
	if len(cases) == 0 {
		t.Skipf("the fixture set has no %q cases", group)
	}
	for _, c := range cases {
		t.Run(c.ID, func(t *testing.T) { fn(t, c) })
	}
}

// Repo is RepoDir for tests: it fails the test when the folder is not found.
func Repo(t testing.TB) string {
	t.Helper()
	d, err := RepoDir()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

package golden

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/pyjson"
)

// Manifest lists the tensors of a real full-size checkpoint (names, shapes,
// dtypes, no data) with the config that builds it (manifests/*.json).
type Manifest struct {
	Model    string          `json:"model"`
	Config   json.RawMessage `json:"config"`
	Files    string          `json:"files"`
	NTensors int             `json:"n_tensors"`
	NParams  int64           `json:"n_params"`
	Tensors  []ManifestEntry `json:"tensors"`
}

// ManifestEntry is one tensor of a manifest.
type ManifestEntry struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
	DType string `json:"dtype"`
}

// LoadManifest reads manifests/<name>.json of the fixture set.
func LoadManifest(t testing.TB, name string) *Manifest {
	t.Helper()
	var m Manifest
	ReadManifestJSON(t, name, &m)
	return &m
}

// ReadManifestJSON decodes manifests/<name>.json of the fixture set into v,
// for the manifests that are not tensor lists (or only the parts of one a
// test needs).
func ReadManifestJSON(t testing.TB, name string, v any) {
	t.Helper()
	p := filepath.Join(Load(t).Dir, "manifests", name+".json")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("reading manifest: %v", err)
	}
	if err := pyjson.Unmarshal(data, v); err != nil {
		t.Fatalf("parsing %s: %v", p, err)
	}
}

// ConfigFile writes the manifest's config to a temp dir as config.json and
// returns the folder, for loaders that read a component folder.
func (m *Manifest) ConfigFile(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), m.Config, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// CheckNamesAndShapes compares a model's parameter list (name → shape, in
// any order) with the manifest: every manifest tensor must be there with
// its shape, nothing more. It reports at most a few differences of each kind.
func (m *Manifest) CheckNamesAndShapes(t testing.TB, names []string, shapes [][]int) {
	t.Helper()
	have := make(map[string][]int, len(names))
	for i, n := range names {
		have[n] = shapes[i]
	}
	var errs []string
	seen := map[string]bool{}
	var total int64
	for _, e := range m.Tensors {
		seen[e.Name] = true
		s, ok := have[e.Name]
		switch {
		case !ok:
			errs = append(errs, fmt.Sprintf("missing %s%v", e.Name, e.Shape))
		case !slices.Equal(s, e.Shape):
			errs = append(errs, fmt.Sprintf("%s: model %v, manifest %v", e.Name, s, e.Shape))
		}
		n := int64(1)
		for _, d := range e.Shape {
			n *= int64(d)
		}
		total += n
	}
	for _, n := range names {
		if !seen[n] {
			errs = append(errs, fmt.Sprintf("extra %s%v", n, have[n]))
		}
	}
	if len(errs) > 0 {
		if len(errs) > 20 {
			errs = append(errs[:20], fmt.Sprintf("… and %d more", len(errs)-20))
		}
		for _, e := range errs {
			t.Error(e)
		}
	}
	if m.NParams != 0 && total != m.NParams {
		t.Errorf("manifest tensors sum to %d parameters, summary says %d", total, m.NParams)
	}
	if len(names) != len(m.Tensors) {
		t.Errorf("model has %d tensors, manifest %d", len(names), len(m.Tensors))
	}
}

package golden

import (
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// implementedGroups lists each case group with the package whose golden
// test runs it. A group the fixture set has but this list lacks is reported
// as skipped, never silently dropped.
var implementedGroups = map[string]string{
	"tokenizer":     "ipadapter/clip/tokenizer",
	"text_encoder":  "ipadapter/clip",
	"encode_prompt": "ipadapter/clip",
	"image_encoder": "ipadapter/imageops (preprocessing), ipadapter/clip (encoder)",
	"image_proj":    "ipadapter/adapter",
	"ip_mask":       "ipadapter/imageops, ipadapter/adapter",
	"rng":           "ipadapter/torchrand",
	"scheduler":     "ipadapter/scheduler",
	"unet":          "ipadapter/unet (no adapter), ipadapter/adapter (with adapters)",
	"vae":           "ipadapter/vae",
	"pipeline":      "ipadapter (public pipeline API, folder and single-file loads)",
	"single_file":   "ipadapter/convert",
}

func TestEveryGroupIsTested(t *testing.T) {
	ix := Load(t)
	for _, g := range ix.Groups() {
		t.Run(g, func(t *testing.T) {
			pkg, ok := implementedGroups[g]
			if !ok {
				t.Skipf("group %q (%d cases) is not implemented yet", g, len(ix.Group(g)))
			}
			t.Logf("group %q is tested in %s", g, pkg)
		})
	}
}

// TestCaseFilesMatchIndex opens every case file and checks that each input
// and output the index lists is there with its shape and dtype.
func TestCaseFilesMatchIndex(t *testing.T) {
	ix := Load(t)
	for _, c := range ix.Cases {
		t.Run(c.ID, func(t *testing.T) {
			src, err := c.Tensors()
			if err != nil {
				t.Fatal(err)
			}
			specs := map[string]TensorSpec{}
			for k, v := range c.Inputs {
				specs[k] = v
			}
			for k, v := range c.Outputs {
				specs[k] = v
			}
			for name, spec := range specs {
				info, ok := src.Info(name)
				if !ok {
					t.Errorf("%s: missing from %s", name, c.File)
					continue
				}
				if !slices.Equal(info.Shape, spec.Shape) {
					t.Errorf("%s: shape %v, index says %v", name, info.Shape, spec.Shape)
				}
				if got := stDTypeName(info); got != spec.DType {
					t.Errorf("%s: dtype %s, index says %s", name, got, spec.DType)
				}
			}
		})
	}
}

func stDTypeName(info weights.Info) string {
	return map[string]string{"Float32": "F32", "Float64": "F64", "Float16": "F16", "Int64": "I64", "Int32": "I32"}[info.DType.String()]
}

// TestResourcesExist checks the index's promise: every resource path is
// inside the fixture folder and exists.
func TestResourcesExist(t *testing.T) {
	ix := Load(t)
	for _, c := range ix.Cases {
		for key, raw := range c.Resources {
			for _, rel := range stringsIn(raw) {
				p, err := c.Path(rel)
				if err != nil {
					t.Errorf("%s: resources[%s]: %v", c.ID, key, err)
					continue
				}
				if _, err := filepath.Glob(p); err != nil || !exists(p) {
					t.Errorf("%s: resources[%s]: %s does not exist", c.ID, key, rel)
				}
			}
		}
	}
}

// TestRNGAndMaskCaseFiles reads the rng and ip_mask cases through the typed
// accessors and checks values the index states.
func TestRNGAndMaskCaseFiles(t *testing.T) {
	for _, group := range []string{"rng", "ip_mask"} {
		ForGroup(t, group, func(t *testing.T, c *Case) {
			for name, spec := range c.Outputs {
				var maxAbs float64
				var n int
				if spec.DType == "F64" {
					v, shape, err := c.Float64s(name)
					if err != nil {
						t.Fatal(err)
					}
					n = len(v)
					maxAbs = maxAbsOf(v)
					checkShape(t, name, shape, spec.Shape)
				} else {
					v, shape, err := c.Float32s(name)
					if err != nil {
						t.Fatal(err)
					}
					n = len(v)
					maxAbs = maxAbsOf(v)
					checkShape(t, name, shape, spec.Shape)
				}
				if want := numel(spec.Shape); n != want {
					t.Errorf("%s: %d values, want %d", name, n, want)
				}
				if maxAbs != spec.MaxAbs && float64(float32(maxAbs)) != float64(float32(spec.MaxAbs)) {
					t.Errorf("%s: max |x| = %v, index says %v", name, maxAbs, spec.MaxAbs)
				}
			}
			if _, ok := c.Tolerance("out.anything"); !ok {
				t.Errorf("no tolerance parsed from %s", c.Tolerances)
			}
		})
	}
}

// TestEveryWeightFileLoads opens every .safetensors weight file of the
// fixture set (case files aside) and reads all of its tensors.
func TestEveryWeightFileLoads(t *testing.T) {
	dir := Load(t).Dir
	var n int
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".safetensors") || strings.Contains(p, string(filepath.Separator)+"cases"+string(filepath.Separator)) {
			return err
		}
		n++
		rel, _ := filepath.Rel(dir, p)
		t.Run(rel, func(t *testing.T) {
			src, err := weights.OpenSafetensors(p)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			infos := src.Infos()
			if len(infos) == 0 {
				t.Fatal("no tensors")
			}
			for _, info := range infos {
				if _, err := weights.Tensor(src, info.Name, nil, 0); err != nil {
					t.Errorf("%s: %v", info.Name, err)
				}
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no weight files found")
	}
}

func TestCompare(t *testing.T) {
	tol := Tolerance{Atol: 0.1, Rtol: 0.1}
	if r := Compare([]float32{1, 2}, []float32{1.05, 2.25}, nil, nil, tol); !r.OK() || r.Fails != 0 {
		t.Errorf("within tolerance reported as %v", r)
	}
	r := Compare([]float32{1, 2, 3}, []float32{1, 2.5, 3}, []int{3}, []int{3}, tol)
	if r.OK() || r.Fails != 1 || r.Worst != 1 || r.MaxAbs != 0.5 {
		t.Errorf("got %+v", r)
	}
	if r := Compare([]float32{1}, []float32{1}, []int{1, 1}, []int{1}, tol); r.OK() || r.ShapeError == "" {
		t.Errorf("shape mismatch not reported: %+v", r)
	}
	nan := float32(0)
	nan = nan / nan
	if r := Compare([]float32{nan}, []float32{1}, nil, nil, tol); r.OK() {
		t.Error("NaN passed")
	}
	if r := Compare([]float64{1 + 1e-15}, []float64{1}, nil, nil, Tolerance{Exact: true}); r.OK() {
		t.Error("exact comparison let a difference through")
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/dtypes/float16"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/vae"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// goldenCase is the part of an index.json case this check reads.
type goldenCase struct {
	ID        string `json:"id"`
	Group     string `json:"group"`
	File      string `json:"file"`
	Resources struct {
		Components map[string]string `json:"components"`
	} `json:"resources"`
	Tolerance struct {
		Atol float64 `json:"atol"`
		Rtol float64 `json:"rtol"`
	} `json:"tolerance"`
}

// goldenChecks runs every vae case of the fixture index with opts and
// returns one record per output: max abs error, how many values fall
// outside the case's tolerance.
func goldenChecks(backend compute.Backend, dir string, opts nn.Options) ([]map[string]any, error) {
	data, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		return nil, err
	}
	// Python wrote the index: bare NaN/Infinity tokens (in scheduler
	// params) are not JSON. None is in a field read here, so null will do.
	for _, tok := range []string{"-Infinity", "Infinity", "NaN"} {
		data = bytes.ReplaceAll(data, []byte(tok), []byte("null"))
	}
	var ix struct {
		Cases []goldenCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &ix); err != nil {
		return nil, fmt.Errorf("index.json: %w", err)
	}
	var recs []map[string]any
	models := map[string]*vae.Model{}
	defer func() {
		for _, m := range models {
			m.Finalize()
		}
	}()
	for _, c := range ix.Cases {
		if c.Group != "vae" {
			continue
		}
		mdir := filepath.Join(dir, c.Resources.Components["vae"])
		m, ok := models[mdir]
		if !ok {
			if m, err = vae.Load(mdir, backend, opts); err != nil {
				return nil, err
			}
			models[mdir] = m
		}
		src, err := weights.OpenSafetensors(filepath.Join(dir, c.File))
		if err != nil {
			return nil, err
		}
		got, err := runCase(m, src)
		if err != nil {
			src.Close()
			return nil, fmt.Errorf("%s: %w", c.ID, err)
		}
		for name, g := range got {
			want, _, err := weights.Float32s(src, name)
			if err != nil {
				continue // an output this case does not store
			}
			rec := compare(g, want, c.Tolerance.Atol, c.Tolerance.Rtol)
			rec["case"], rec["output"] = c.ID, name
			recs = append(recs, rec)
		}
		src.Close()
	}
	return recs, nil
}

// runCase decodes in.latents (as the pipeline: / scaling_factor) or
// encodes in.x, returning the outputs by their case names.
func runCase(m *vae.Model, src weights.Source) (map[string][]float32, error) {
	if info, ok := src.Info("in.latents"); ok {
		v, _, err := weights.Float32s(src, "in.latents")
		if err != nil {
			return nil, err
		}
		out, err := m.DecodeLatents(tensors.FromFlatDataAndDimensions(v, info.Shape...))
		if err != nil {
			return nil, err
		}
		arr, err := vae.Postprocess(out)
		if err != nil {
			return nil, err
		}
		decoded, err := float32s(out)
		if err != nil {
			return nil, err
		}
		return map[string][]float32{"out.decoded": decoded, "out.image_np": arr.Data}, nil
	}
	info, ok := src.Info("in.x")
	if !ok {
		return nil, fmt.Errorf("neither in.latents nor in.x")
	}
	v, _, err := weights.Float32s(src, "in.x")
	if err != nil {
		return nil, err
	}
	d, err := m.Encode(tensors.FromFlatDataAndDimensions(v, info.Shape...))
	if err != nil {
		return nil, err
	}
	scaled, err := m.Config.ToUNet(d.Mode(), d.Shape)
	if err != nil {
		return nil, err
	}
	return map[string][]float32{"out.latent_mean": d.Mean, "out.latent_std": d.Std, "out.latent_mean_scaled": scaled}, nil
}

func compare(got, want []float32, atol, rtol float64) map[string]any {
	if len(got) != len(want) {
		return map[string]any{"error": fmt.Sprintf("%d values, want %d", len(got), len(want))}
	}
	var maxAbs float64
	var fails int
	for i := range got {
		d := math.Abs(float64(got[i] - want[i]))
		if !(d <= atol+rtol*math.Abs(float64(want[i]))) {
			fails++
		}
		if d > maxAbs || math.IsNaN(d) {
			maxAbs = d
		}
	}
	return map[string]any{"max_abs_err": maxAbs, "outside_tol": fails, "n": len(got), "atol": atol, "pass": fails == 0}
}

// float32s copies a float32 or float16 tensor to float32 values.
func float32s(t *tensors.Tensor) ([]float32, error) {
	if t.DType() == dtypes.Float16 {
		h, err := tensors.CopyFlatData[float16.Float16](t)
		if err != nil {
			return nil, err
		}
		out := make([]float32, len(h))
		for i, v := range h {
			out[i] = v.Float32()
		}
		return out, nil
	}
	return tensors.CopyFlatData[float32](t)
}

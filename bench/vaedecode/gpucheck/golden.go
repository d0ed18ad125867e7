package main

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/dtypes/float16"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/vae"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// goldenChecks runs every vae case of the fixture index with opts and
// returns one record per output: max abs error, how many values fall
// outside the case's tolerance (golden.Compare, as the library's tests).
func goldenChecks(backend compute.Backend, dir string, opts nn.Options) ([]map[string]any, error) {
	ix, err := golden.LoadIndex(dir)
	if err != nil {
		return nil, err
	}
	var recs []map[string]any
	models := map[string]*vae.Model{}
	defer func() {
		for _, m := range models {
			m.Finalize()
		}
	}()
	for _, c := range ix.Group("vae") {
		mdir, err := c.Component("vae")
		if err != nil {
			return nil, err
		}
		m, ok := models[mdir]
		if !ok {
			if m, err = vae.Load(mdir, backend, opts); err != nil {
				return nil, err
			}
			models[mdir] = m
		}
		src, err := c.Tensors()
		if err != nil {
			return nil, err
		}
		got, err := runCase(m, src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.ID, err)
		}
		for name, g := range got {
			want, _, err := c.Float32s(name)
			if err != nil {
				continue // an output this case does not store
			}
			tol, _ := c.Tolerance(name)
			rec := map[string]any{"case": c.ID, "output": name}
			if r := golden.Compare(g, want, nil, nil, tol); r.ShapeError != "" {
				rec["error"] = r.ShapeError
			} else {
				rec["max_abs_err"], rec["outside_tol"], rec["n"], rec["atol"], rec["pass"] = r.MaxAbs, r.Fails, r.N, tol.Atol, r.OK()
			}
			recs = append(recs, rec)
		}
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

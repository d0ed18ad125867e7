// Command gpu checks and times the UNet on a CUDA GPU (go-xla with a PJRT
// CUDA plugin, found by package xla): the tiny fixture UNet against the
// golden noise prediction in f32 (TF32 off and on), f16 and bf16 (fused
// cuDNN attention), IP-Adapter streams (unmasked and masked) and attention
// capture in f16 against the pure-Go backend in f32, and step timings of
// the tiny UNet, small SDXL (32×32) and SDXL base (128×128, random
// weights). One JSON line per check; it never stops at the first failure.
//
// Build here (cgo) and carry the binary; run in the repository root on the
// GPU machine (it reads testdata/golden).
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/dtypes/float16"
	"github.com/gomlx/compute/gobackend"
	goxla "github.com/gomlx/go-xla/compute/xla"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/seed11f6bdef/gonb-ipadapter/bench/internal/unetbench"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
	"github.com/seed11f6bdef/gonb-ipadapter/xla"
)

type record map[string]any

func emit(r record) {
	line, _ := json.Marshal(r)
	fmt.Println(string(line))
}

func main() {
	skipFull := flag.Bool("skip-full", false, "skip the full-size SDXL timing")
	smoke := flag.Bool("smoke", false, "run the tiny checks on whatever backend package xla picks (a smoke test without a GPU)")
	reps := flag.Int("reps", 10, "timed steps")
	budget := flag.Duration("budget", 0, "skip the checks that would start after this much time (0: no limit)")
	onlyFull := flag.Bool("only-full", false, "time only the full-size SDXL base step (for the comparison with diffusers)")
	flag.Parse()
	deadline = *budget
	start := time.Now()
	defer func() { emit(record{"check": "done", "wall_s": time.Since(start).Seconds()}) }()

	gpu, err := xla.Backend()
	if err != nil {
		emit(record{"check": "backend", "error": err.Error()})
		os.Exit(3)
	}
	xb, ok := gpu.(*goxla.Backend)
	if (!ok || !xb.IsCUDA()) && !*smoke {
		emit(record{"check": "backend", "error": "not a CUDA backend: " + gpu.Description()})
		os.Exit(3)
	}
	emit(record{"check": "backend", "backend": gpu.Description()})
	cpu, err := gobackend.New("")
	if err != nil {
		emit(record{"check": "cpu backend", "error": err.Error()})
		os.Exit(1)
	}
	if *onlyFull {
		guard("sdxl base", func() error {
			return timeConfig(gpu, sdxlBase, 128, *reps, "sdxl_base_128x128_b2", dtypes.Float16)
		})
		return
	}
	guard("golden tiny", func() error { return goldenTiny(gpu, xb, *reps) })
	guard("ip streams", func() error { return ipStreams(gpu, cpu) })
	if *smoke {
		return
	}
	guard("small sdxl", func() error {
		return timeConfig(gpu, unetbench.SmallSDXL, 32, *reps, "small_sdxl_32x32_b2", dtypes.Float32, dtypes.Float16)
	})
	if !*skipFull {
		guard("sdxl base", func() error {
			return timeConfig(gpu, sdxlBase, 128, *reps, "sdxl_base_128x128_b2", dtypes.Float16)
		})
	}
}

var (
	started  = time.Now()
	deadline time.Duration
)

// guard runs a check, reporting an error or panic instead of stopping, and
// skips it when the time budget is spent.
func guard(name string, f func() error) {
	if deadline > 0 && time.Since(started) > deadline {
		emit(record{"check": name, "skipped": "time budget spent"})
		return
	}
	defer func() {
		if r := recover(); r != nil {
			emit(record{"check": name, "error": fmt.Sprintf("panic: %v", r)})
		}
	}()
	if err := f(); err != nil {
		emit(record{"check": name, "error": err.Error()})
	}
}

func gpuOptions(dt dtypes.DType) nn.Options {
	return nn.Options{DType: dt, FusedAttention: dt != dtypes.Float32}
}

// goldenTiny runs the fixture's no-adapter unet cases on the GPU.
func goldenTiny(gpu compute.Backend, xb *goxla.Backend, reps int) error {
	dir := filepath.Join("testdata", "golden")
	for _, id := range []string{"unet_no_adapter"} {
		src, err := weights.OpenSafetensors(filepath.Join(dir, "cases", "unet", id+".safetensors"))
		if err != nil {
			return err
		}
		get := func(name string) *tensors.Tensor {
			v, info, err := weights.Float32s(src, name)
			if err != nil {
				panic(err)
			}
			return tensors.FromFlatDataAndDimensions(v, info.Shape...)
		}
		in := unet.Inputs{Sample: get("in.latents"), Timestep: get("in.timestep"), EncoderHiddenStates: get("in.ehs"),
			TextEmbeds: get("in.text_embeds"), TimeIDs: get("in.time_ids")}
		want, _, err := weights.Float32s(src, "out.noise_pred")
		if err != nil {
			return err
		}
		for _, v := range []struct {
			name string
			dt   dtypes.DType
			tf32 bool
		}{{"f32", dtypes.Float32, false}, {"f32_tf32", dtypes.Float32, true}, {"f16", dtypes.Float16, false}, {"bf16", dtypes.BFloat16, false}} {
			if xb != nil {
				xb.DotGeneralUseTF32 = v.tf32
			}
			m, err := unet.Load(filepath.Join(dir, "tiny-sdxl", "unet"), gpu, gpuOptions(v.dt))
			if err != nil {
				return err
			}
			r, out, err := timeModel(m, in, reps)
			m.Close()
			if err != nil {
				emit(record{"check": "golden", "case": id, "variant": v.name, "error": err.Error()})
				continue
			}
			r["check"], r["case"], r["variant"] = "golden", id, v.name
			r["max_abs_err"], r["rel_l2_err"] = diff(out, want)
			emit(r)
		}
		if xb != nil {
			xb.DotGeneralUseTF32 = false
		}
		src.Close()
	}
	return nil
}

// timeModel compiles (first call) and times reps steps; it returns the
// record and the first output.
func timeModel(m *unet.Model, in unet.Inputs, reps int) (record, []float32, error) {
	t0 := time.Now()
	out, err := m.Predict(in)
	if err != nil {
		return nil, nil, err
	}
	first := time.Since(t0).Seconds()
	got := tensors.MustCopyFlatData[float32](out)
	times := make([]float64, reps)
	for i := range times {
		t := time.Now()
		o, err := m.Predict(in)
		if err != nil {
			return nil, nil, err
		}
		o.MustConstFlatData(func(any) {}) // wait for the result on the host
		times[i] = time.Since(t).Seconds()
	}
	slices.Sort(times)
	return record{"first_call_s": first, "median_s": times[len(times)/2], "min_s": times[0], "compilations": m.Compilations()}, got, nil
}

func diff(got, want []float32) (maxAbs, relL2 float64) {
	var num, den float64
	for i := range got {
		d := float64(got[i]) - float64(want[i])
		maxAbs = math.Max(maxAbs, math.Abs(d))
		num += d * d
		den += float64(want[i]) * float64(want[i])
	}
	if len(got) != len(want) {
		return math.Inf(1), math.Inf(1)
	}
	return maxAbs, math.Sqrt(num / den)
}

// ipStreams compares the tiny UNet with two IP streams (one masked) and
// attention capture, f16 on the GPU against f32 on the pure-Go backend.
func ipStreams(gpu, cpu compute.Backend) error {
	dir := filepath.Join("testdata", "golden", "tiny-sdxl", "unet")
	ref, err := unet.Load(dir, cpu, unet.DefaultOptions(cpu))
	if err != nil {
		return err
	}
	defer ref.Close()
	u := ref.UNet()
	rng := rand.New(rand.NewPCG(4, 2))
	specs := append(u.IPSpecs(0), u.IPSpecs(1)...)
	ipStore, err := unet.RandomStore(specs, nil, 9)
	if err != nil {
		return err
	}
	if err := copyVariables(ref.Store(), ipStore, specs); err != nil {
		return err
	}
	h, w := 12, 20
	in := unetbench.RandomInputs(u, rng, h, w)
	layers := len(u.CrossAttnLayers())
	nqs, err := u.MaskQueryCounts(h, w)
	if err != nil {
		return err
	}
	masks := map[int]*tensors.Tensor{}
	for _, q := range nqs {
		v := make([]float32, 2*q)
		for i := range q {
			if i%w < w/2 {
				v[i] = 1
			} else {
				v[q+i] = 1
			}
		}
		masks[q] = tensors.FromFlatDataAndDimensions(v, 1, 2, q)
	}
	in.IP = []unet.IPInput{
		{Adapter: 0, Tokens: unetbench.Randn(rng, 2, 2, 4, 64), Scales: fill(layers, 1, 0.6)},
		{Adapter: 1, Tokens: unetbench.Randn(rng, 2, 2, 16, 64), Scales: fill(layers, 2, 0.7), Masks: masks},
	}
	first, last := u.CrossAttnLayers()[0], u.CrossAttnLayers()[layers-1]
	maps := []string{first, unet.IPMapName(first, 0, -1), unet.IPMapName(last, 1, 1)}
	wantOut, wantMaps, err := ref.PredictWithAttention(in, maps)
	if err != nil {
		return err
	}
	for _, dt := range []dtypes.DType{dtypes.Float32, dtypes.Float16} {
		m, err := unet.Load(dir, gpu, gpuOptions(dt))
		if err != nil {
			return err
		}
		if err := copyVariables(m.Store(), ipStore, specs); err != nil {
			m.Close()
			return err
		}
		in := cloneInputs(in) // a host tensor already sent to one backend cannot go to another
		out, err := m.Predict(in)
		if err != nil {
			m.Close()
			return err
		}
		r := record{"check": "ip_streams", "dtype": dt.String()}
		r["max_abs_err"], r["rel_l2_err"] = diff(tensors.MustCopyFlatData[float32](out), tensors.MustCopyFlatData[float32](wantOut))
		_, gotMaps, err := m.PredictWithAttention(in, maps)
		if err != nil {
			r["maps_error"] = err.Error()
		} else {
			worst := 0.0
			for _, name := range maps {
				d, _ := diff(tensors.MustCopyFlatData[float32](gotMaps[name]), tensors.MustCopyFlatData[float32](wantMaps[name]))
				worst = math.Max(worst, d)
			}
			r["maps_max_abs_err"] = worst
		}
		r["compilations"] = m.Compilations()
		m.Close()
		emit(r)
	}
	return nil
}

// timeConfig times one step of a random-weight UNet of the given config at
// size×size, batch 2, in each dtype (weights stored in that dtype).
func timeConfig(gpu compute.Backend, cfgJSON string, size, reps int, name string, dts ...dtypes.DType) error {
	cfg, err := unet.ParseConfig([]byte(cfgJSON))
	if err != nil {
		return err
	}
	u, err := unet.Build(cfg)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 1))
	in := unetbench.RandomInputs(u, rng, size, size)
	for _, dt := range dts {
		t0 := time.Now()
		store, err := randomStore(u.Specs(), dt)
		if err != nil {
			return err
		}
		initS := time.Since(t0).Seconds()
		m := unet.NewFromStore(u, store, gpu, gpuOptions(dt))
		r, _, err := timeModel(m, in, reps)
		m.Close()
		if err != nil {
			emit(record{"check": "timing", "model": name, "dtype": dt.String(), "error": err.Error()})
			continue
		}
		r["check"], r["model"], r["dtype"], r["params"], r["random_init_s"] = "timing", name, dt.String(), u.NumParameters(), initS
		emit(r)
		runtime.GC()
	}
	return nil
}

// randomStore fills every parameter with uniform values of std 1/√fan_in
// (norm gains 1, biases small), generated in parallel in dtype dt.
func randomStore(specs []nn.Spec, dt dtypes.DType) (*model.Store, error) {
	ts := make([]*tensors.Tensor, len(specs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.NumCPU())
	for i, s := range specs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			rng := rand.New(rand.NewPCG(uint64(i), 77))
			std := 0.05
			if len(s.Shape) > 1 {
				std = 1 / math.Sqrt(float64(s.NumElements()/s.Shape[0]))
			}
			a := std * math.Sqrt(3)
			v := make([]float32, s.NumElements())
			for j := range v {
				v[j] = float32(a * (2*rng.Float64() - 1))
				if len(s.Shape) == 1 && filepath.Ext(s.Name) == ".weight" {
					v[j] += 1 // norm gains
				}
			}
			if dt == dtypes.Float16 {
				h := make([]float16.Float16, len(v))
				for j, x := range v {
					h[j] = float16.FromFloat32(x)
				}
				ts[i] = tensors.FromFlatDataAndDimensions(h, s.Shape...)
				return
			}
			ts[i] = tensors.FromFlatDataAndDimensions(v, s.Shape...)
		}()
	}
	wg.Wait()
	store := model.NewStore()
	for i, s := range specs {
		if _, err := store.CreateVariable("/"+s.Name, ts[i]); err != nil {
			return nil, err
		}
	}
	return store, nil
}

func fill(rows, cols int, x float32) *tensors.Tensor {
	v := make([]float32, rows*cols)
	for i := range v {
		v[i] = x
	}
	return tensors.FromFlatDataAndDimensions(v, rows, cols)
}

// copyVariables copies the specs' values from one store to another as new
// host tensors (a tensor is not shared between backends).
func copyVariables(to, from *model.Store, specs []nn.Spec) error {
	for _, s := range specs {
		v := from.GetVariable("/" + s.Name)
		if v == nil {
			return errors.New("missing " + s.Name)
		}
		t := tensors.FromFlatDataAndDimensions(tensors.MustCopyFlatData[float32](v.MustValue()), s.Shape...)
		if _, err := to.CreateVariable("/"+s.Name, t); err != nil {
			return err
		}
	}
	return nil
}

func cloneTensor(t *tensors.Tensor) *tensors.Tensor {
	if t == nil {
		return nil
	}
	return tensors.FromFlatDataAndDimensions(tensors.MustCopyFlatData[float32](t), t.Shape().Dimensions...)
}

// cloneInputs copies every input into new host tensors.
func cloneInputs(in unet.Inputs) unet.Inputs {
	out := unet.Inputs{Sample: cloneTensor(in.Sample), Timestep: cloneTensor(in.Timestep),
		EncoderHiddenStates: cloneTensor(in.EncoderHiddenStates), TextEmbeds: cloneTensor(in.TextEmbeds), TimeIDs: cloneTensor(in.TimeIDs)}
	for _, s := range in.IP {
		c := unet.IPInput{Adapter: s.Adapter, Tokens: cloneTensor(s.Tokens), Scales: cloneTensor(s.Scales)}
		if s.Masks != nil {
			c.Masks = map[int]*tensors.Tensor{}
			for q, m := range s.Masks {
				c.Masks[q] = cloneTensor(m)
			}
		}
		out.IP = append(out.IP, c)
	}
	return out
}

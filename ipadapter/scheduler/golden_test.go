package scheduler

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/torchrand"
)

// caseScheduler builds a case's scheduler as the index says:
// <params.class>.from_config(EulerDiscreteScheduler.from_config(<config>).config, **params.overrides).
func caseScheduler(t *testing.T, c *golden.Case) Scheduler {
	t.Helper()
	dir, err := c.Component("scheduler")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(filepath.Join(dir, "scheduler_config.json"))
	if err != nil {
		t.Fatal(err)
	}
	euler, err := New(EulerDiscrete, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var class string
	if _, err := c.Param("class", &class); err != nil || class == "" {
		t.Fatalf("params.class: %q, %v", class, err)
	}
	var overrides Config
	if raw, ok := c.Params["overrides"]; ok {
		if overrides, err = ParseConfig(raw); err != nil {
			t.Fatal(err)
		}
	}
	s, err := New(class, euler.Config().With(overrides))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestGoldenScheduler runs every scheduler case: timestep/sigma tables for
// each step count in params.steps, or a full denoising loop from the stored
// sample0 and model outputs, comparing every stored step.
func TestGoldenScheduler(t *testing.T) {
	golden.ForGroup(t, "scheduler", func(t *testing.T, c *golden.Case) {
		s := caseScheduler(t, c)
		if _, ok := c.Params["steps"]; ok {
			checkTables(t, c, s)
			return
		}
		checkLoop(t, c, s)
	})
}

func checkTables(t *testing.T, c *golden.Case, s Scheduler) {
	checkResolvedConfig(t, c, s)
	var steps []int
	if _, err := c.Param("steps", &steps); err != nil {
		t.Fatal(err)
	}
	var initSigmas map[string]float64
	if _, err := c.Param("init_noise_sigma", &initSigmas); err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, n := range steps {
		if err := s.SetTimesteps(n); err != nil {
			t.Fatalf("SetTimesteps(%d): %v", n, err)
		}
		prefix := fmt.Sprintf("out.n%d.", n)
		want := readFloat64s(t, c, prefix+"timesteps")
		tol, ok := c.Tolerance(prefix + "timesteps")
		if !ok {
			t.Fatalf("no tolerance for %stimesteps", prefix)
		}
		if r := golden.Compare(s.Timesteps(), want, nil, nil, tol); !r.OK() {
			t.Errorf("n=%d timesteps (%s): %s\n got %v\nwant %v", n, tol, r, s.Timesteps(), want)
		}
		compared++
		if _, ok := c.Outputs[prefix+"sigmas"]; ok {
			golden.AssertClose(t, c, prefix+"sigmas", s.Sigmas(), []int{len(s.Sigmas())})
			compared++
		}
		// init_noise_sigma is one float32 operation chain on the largest
		// sigma: expected exactly (the case gives no tolerance for it).
		golden.AssertCloseTol(t, c, prefix+"init_noise_sigma", []float32{s.InitNoiseSigma()}, []int{}, golden.Tolerance{Exact: true})
		if p, ok := initSigmas[strings.TrimPrefix(prefix, "out.")+"init_noise_sigma"]; !ok || float32(p) != s.InitNoiseSigma() {
			t.Errorf("n=%d init_noise_sigma %v, params say %v", n, s.InitNoiseSigma(), p)
		}
		compared++
	}
	if compared != len(c.Outputs) {
		t.Errorf("compared %d outputs, the case has %d", compared, len(c.Outputs))
	}
}

// checkResolvedConfig compares the scheduler's resolved config with
// params.resolved_config (what diffusers' scheduler.config held).
func checkResolvedConfig(t *testing.T, c *golden.Case, s Scheduler) {
	raw, ok := c.Params["resolved_config"]
	if !ok {
		return
	}
	var want map[string]any
	if err := json.Unmarshal(pySanitize(raw), &want); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(s.Config())
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for k, w := range want {
		g, ok := got[k]
		if w == nil {
			if ok {
				t.Errorf("resolved config %s = %v, want null", k, g)
			}
			continue
		}
		if !ok || fmt.Sprint(g) != fmt.Sprint(w) {
			t.Errorf("resolved config %s = %v, want %v", k, g, w)
		}
	}
}

func checkLoop(t *testing.T, c *golden.Case, s Scheduler) {
	var n int
	if _, err := c.Param("num_inference_steps", &n); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTimesteps(n); err != nil {
		t.Fatal(err)
	}
	x, shape, err := c.Float32s("out.sample0")
	if err != nil {
		t.Fatal(err)
	}
	checkSample0(t, c, s, x, shape)
	mo, moShape, err := c.Float32s("out.model_outputs")
	if err != nil {
		t.Fatal(err)
	}
	if len(moShape) == 0 || moShape[0] != n {
		t.Fatalf("model_outputs shape %v for %d steps", moShape, n)
	}
	per := len(mo) / n
	var gens []*torchrand.Generator
	var seed *uint64
	if _, err := c.Param("step_generator_seed", &seed); err != nil {
		t.Fatal(err)
	}
	if seed != nil {
		gens = append(gens, torchrand.NewGenerator(*seed))
	}
	compared := 2 // sample0, model_outputs
	for i := range n {
		prefix := fmt.Sprintf("out.step%d.", i)
		scaled, err := s.ScaleModelInput(x, i)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := c.Outputs[prefix+"scaled_input"]; ok {
			golden.AssertClose(t, c, prefix+"scaled_input", scaled, shape)
			compared++
		}
		r, err := s.Step(mo[i*per:(i+1)*per], i, x, shape, gens...)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if _, ok := c.Outputs[prefix+"prev_sample"]; ok {
			golden.AssertClose(t, c, prefix+"prev_sample", r.PrevSample, shape)
			compared++
		}
		if _, ok := c.Outputs[prefix+"pred_original_sample"]; ok {
			golden.AssertClose(t, c, prefix+"pred_original_sample", r.PredOriginalSample, shape)
			compared++
		}
		x = r.PrevSample
	}
	if compared != len(c.Outputs) {
		t.Errorf("compared %d outputs, the case has %d", compared, len(c.Outputs))
	}
}

// checkSample0 re-derives the loop's inputs from params: sample0 is
// randn(shape) from sample0_seed times init_noise_sigma, and the model
// outputs come next from the same generator.
func checkSample0(t *testing.T, c *golden.Case, s Scheduler, x []float32, shape []int) {
	var seed uint64
	if _, err := c.Param("sample0_seed", &seed); err != nil {
		t.Fatal(err)
	}
	g := torchrand.NewGenerator(seed)
	noise, err := g.Randn(shape...)
	if err != nil {
		t.Fatal(err)
	}
	for i := range noise {
		noise[i] *= s.InitNoiseSigma()
	}
	golden.AssertCloseTol(t, c, "out.sample0", noise, shape, golden.Tolerance{Exact: true})
	mo, moShape, err := c.Float32s("out.model_outputs")
	if err != nil {
		t.Fatal(err)
	}
	got, err := g.Randn(moShape...)
	if err != nil {
		t.Fatal(err)
	}
	if r := golden.Compare(got, mo, nil, nil, golden.Tolerance{Exact: true}); !r.OK() {
		t.Errorf("model_outputs are not the next randn%v of the sample0 generator: %s", moShape, r)
	}
}

func readFloat64s(t *testing.T, c *golden.Case, name string) []float64 {
	t.Helper()
	spec := c.Outputs[name]
	if spec.DType == "I64" || spec.DType == "I32" {
		v, _, err := c.Int64s(name)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	}
	v, _, err := c.Float64s(name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

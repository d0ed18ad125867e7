package scheduler

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/torchrand"
)

func steps(t *testing.T, class string, c Config, n int) Scheduler {
	t.Helper()
	s := mustNew(t, class, c)
	if err := s.SetTimesteps(n); err != nil {
		t.Fatal(err)
	}
	return s
}

// SDXL's "leading" grids (scheduler.md §3.1, §6).
func TestLeadingGrids(t *testing.T) {
	e := steps(t, EulerDiscrete, sdxlConfig(), 50)
	ts := e.Timesteps()
	if ts[0] != 981 || ts[1] != 961 || ts[49] != 1 || len(ts) != 50 {
		t.Errorf("Euler 50 steps: %v", ts)
	}
	if got := steps(t, EulerDiscrete, sdxlConfig(), 30).Timesteps(); got[0] != 958 || got[1] != 925 || got[28] != 34 {
		t.Errorf("Euler 30 steps: %v", got)
	}
	d := steps(t, DPMSolverMultistep, sdxlConfig(), 25).Timesteps()
	if d[0] != 951 || d[1] != 913 || d[23] != 77 || d[24] != 39 {
		t.Errorf("DPM 25 steps: %v", d)
	}
	if got := steps(t, EulerDiscrete, sdxlConfig(), 1).Timesteps(); !slices.Equal(got, []float64{1}) {
		t.Errorf("Euler 1 step: %v", got)
	}
	if got := steps(t, DPMSolverMultistep, sdxlConfig(), 1).Timesteps(); !slices.Equal(got, []float64{501}) {
		t.Errorf("DPM 1 step: %v", got)
	}
}

func TestOtherSpacings(t *testing.T) {
	lin := sdxlConfig().With(Config{TimestepSpacing: Ptr("linspace")})
	if got := steps(t, EulerDiscrete, lin, 4).Timesteps(); !slices.Equal(got, []float64{999, 666, 333, 0}) {
		t.Errorf("Euler linspace: %v", got)
	}
	// Fractional linspace timesteps are stored as float32.
	got := steps(t, EulerDiscrete, lin, 7).Timesteps()
	if got[1] != float64(float32(832.5)) || got[2] != float64(float32(666)) {
		t.Errorf("Euler linspace 7: %v", got)
	}
	tr := sdxlConfig().With(Config{TimestepSpacing: Ptr("trailing")})
	if got := steps(t, EulerDiscrete, tr, 4).Timesteps(); !slices.Equal(got, []float64{999, 749, 499, 249}) {
		t.Errorf("Euler trailing: %v", got)
	}
	if got := steps(t, DDIM, tr, 4).Timesteps(); !slices.Equal(got, []float64{999, 749, 499, 249}) {
		t.Errorf("DDIM trailing: %v", got)
	}
	// linspace/trailing: init_noise_sigma is σ_max itself.
	e := steps(t, EulerDiscrete, tr, 4)
	if e.InitNoiseSigma() != e.Sigmas()[0] {
		t.Errorf("trailing init_noise_sigma %v, σ_0 %v", e.InitNoiseSigma(), e.Sigmas()[0])
	}
}

func TestKarrasSchedules(t *testing.T) {
	k := sdxlConfig().With(Config{UseKarrasSigmas: Ptr(true)})
	d := steps(t, DPMSolverMultistep, k, 25)
	if ts, sg := d.Timesteps(), d.Sigmas(); ts[0] != 999 || ts[24] != 0 || sg[0] != 14.614645 || sg[24] != 0.0291675329 || sg[25] != 0 {
		t.Errorf("DPM Karras 25: t %v σ %v", ts, sg)
	}
	// Euler's Karras ramp spans its own interpolated sigmas (σ(981)..σ(1)
	// for 50 leading steps) and keeps fractional timesteps.
	e := steps(t, EulerDiscrete, k, 50)
	plain := steps(t, EulerDiscrete, sdxlConfig(), 50)
	if e.Sigmas()[0] != plain.Sigmas()[0] || e.Sigmas()[49] != plain.Sigmas()[49] {
		t.Errorf("Euler Karras ends %v %v, want %v %v", e.Sigmas()[0], e.Sigmas()[49], plain.Sigmas()[0], plain.Sigmas()[49])
	}
	fractional := false
	for _, t := range e.Timesteps() {
		fractional = fractional || t != math.Trunc(t)
	}
	if !fractional {
		t.Error("Euler Karras timesteps are all integers")
	}
}

func TestStepInputAndScaling(t *testing.T) {
	e := steps(t, EulerDiscrete, sdxlConfig(), 30)
	in, err := e.StepInput(0)
	if err != nil {
		t.Fatal(err)
	}
	s := e.Sigmas()[0]
	if in.Timestep != 958 || in.InputDivisor != sqrt32(float32(s*s)+1) || in.InputScale != 1/in.InputDivisor {
		t.Errorf("step input %+v for σ %v", in, s)
	}
	x := []float32{1, -2, 3.5, 0}
	y, _ := e.ScaleModelInput(x, 0)
	for i := range x {
		if y[i] != x[i]/in.InputDivisor {
			t.Errorf("scaled[%d] = %v, want %v", i, y[i], x[i]/in.InputDivisor)
		}
	}
	if x[0] != 1 {
		t.Error("ScaleModelInput changed its input")
	}
	for _, class := range []string{DDIM, DPMSolverMultistep} {
		s := steps(t, class, sdxlConfig(), 30)
		in, _ := s.StepInput(3)
		if in.InputDivisor != 1 || in.InputScale != 1 || s.InitNoiseSigma() != 1 || in.Timestep != float32(s.Timesteps()[3]) {
			t.Errorf("%s step input %+v, init %v", class, in, s.InitNoiseSigma())
		}
	}
}

// The final DPM-Solver++ step goes to σ = 0 and must return the x₀
// prediction exactly, with no NaN from log 0.
func TestDPMFinalStepIsX0(t *testing.T) {
	s := steps(t, DPMSolverMultistep, sdxlConfig(), 1)
	g := torchrand.NewGenerator(5)
	x, _ := g.Randn(1, 4, 4, 4)
	eps, _ := g.Randn(1, 4, 4, 4)
	r, err := s.Step(eps, 0, x, []int{1, 4, 4, 4})
	if err != nil {
		t.Fatal(err)
	}
	alpha, sigmaT := alphaSigma(s.Sigmas()[0])
	for k := range x {
		want := (x[k] - float32(sigmaT*eps[k])) / alpha
		if r.PrevSample[k] != want {
			t.Fatalf("element %d: %v, want x0 %v", k, r.PrevSample[k], want)
		}
	}
}

// DPM-Solver: second order needs history; SetTimesteps clears it so a
// rerun gives the same result.
func TestDPMRerunIsReproducible(t *testing.T) {
	run := func(s Scheduler) []float32 {
		g := torchrand.NewGenerator(9)
		x, _ := g.Randn(1, 4, 4, 4)
		for i := range s.NumInferenceSteps() {
			eps, _ := g.Randn(1, 4, 4, 4)
			r, err := s.Step(eps, i, x, []int{1, 4, 4, 4})
			if err != nil {
				t.Fatal(err)
			}
			x = r.PrevSample
		}
		return x
	}
	for _, order := range []int{1, 2, 3} {
		s := steps(t, DPMSolverMultistep, sdxlConfig().With(Config{SolverOrder: Ptr(order)}), 8)
		a := run(s)
		s.SetTimesteps(8)
		if b := run(s); !slices.Equal(a, b) {
			t.Errorf("order %d: rerun after SetTimesteps differs", order)
		}
		for _, v := range a {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("order %d: non-finite output", order)
			}
		}
	}
}

// Noise is drawn only where diffusers draws it: Euler with churn, DDIM with
// eta > 0, Euler-Ancestral every step; otherwise the generator is untouched.
func TestWhichStepsDrawNoise(t *testing.T) {
	shape := []int{1, 4, 4, 4}
	x := make([]float32, 64)
	e := make([]float32, 64)
	draws := func(s Scheduler) bool {
		g := torchrand.NewGenerator(1)
		ref := torchrand.NewGenerator(1)
		if _, err := s.Step(e, 0, x, shape, g); err != nil {
			t.Fatal(err)
		}
		return g.Uint32() != ref.Uint32()
	}
	euler := steps(t, EulerDiscrete, sdxlConfig(), 10).(*EulerDiscreteScheduler)
	if draws(euler) {
		t.Error("Euler without churn drew noise")
	}
	euler.SChurn = 1
	if !draws(euler) {
		t.Error("Euler with churn drew no noise")
	}
	ddim := steps(t, DDIM, sdxlConfig(), 10).(*DDIMScheduler)
	if draws(ddim) {
		t.Error("DDIM eta=0 drew noise")
	}
	ddim.Eta = 1
	if !draws(ddim) {
		t.Error("DDIM eta=1 drew no noise")
	}
	if !draws(steps(t, EulerAncestralDiscrete, sdxlConfig(), 10)) {
		t.Error("Euler-Ancestral drew no noise")
	}
	if draws(steps(t, DPMSolverMultistep, sdxlConfig(), 10)) {
		t.Error("DPM-Solver++ drew noise")
	}
}

// One generator per batch row: row i's noise comes from gens[i].
func TestAncestralGeneratorPerRow(t *testing.T) {
	shape := []int{2, 4, 2, 2}
	x := make([]float32, 32)
	s := steps(t, EulerAncestralDiscrete, sdxlConfig(), 4)
	r, err := s.Step(x, 3, x, shape, torchrand.NewGenerator(1), torchrand.NewGenerator(2))
	if err != nil {
		t.Fatal(err)
	}
	s2 := steps(t, EulerAncestralDiscrete, sdxlConfig(), 4)
	r0, _ := s2.Step(x[:16], 3, x[:16], []int{1, 4, 2, 2}, torchrand.NewGenerator(1))
	r1, _ := s2.Step(x[16:], 3, x[16:], []int{1, 4, 2, 2}, torchrand.NewGenerator(2))
	if !slices.Equal(r.PrevSample, append(r0.PrevSample, r1.PrevSample...)) {
		t.Error("per-row generators did not give per-row noise")
	}
	if _, err := s.Step(x, 3, x, shape, torchrand.NewGenerator(1), torchrand.NewGenerator(2), torchrand.NewGenerator(3)); err == nil {
		t.Error("three generators for a batch of two accepted")
	}
}

func TestPredictionTypes(t *testing.T) {
	shape := []int{1, 1, 2, 2}
	x := []float32{0.5, -1, 2, 0}
	v := []float32{0.1, 0.2, -0.3, 0.4}
	for _, class := range []string{EulerDiscrete, DDIM, DPMSolverMultistep} {
		for _, p := range []string{"sample", "v_prediction"} {
			s := steps(t, class, sdxlConfig().With(Config{PredictionType: Ptr(p)}), 10)
			r, err := s.Step(v, 0, x, shape)
			if err != nil {
				t.Fatalf("%s %s: %v", class, p, err)
			}
			if p == "sample" && r.PredOriginalSample != nil && !slices.Equal(r.PredOriginalSample, v) {
				t.Errorf("%s sample: x0 %v, want the model output", class, r.PredOriginalSample)
			}
		}
	}
	// v-prediction in Euler: x0 = v·(−σ/sqrt(σ²+1)) + x/(σ²+1).
	s := steps(t, EulerDiscrete, sdxlConfig().With(Config{PredictionType: Ptr("v_prediction")}), 10)
	r, _ := s.Step(v, 0, x, shape)
	sg := float64(s.Sigmas()[0])
	for k := range x {
		want := float64(v[k])*(-sg/math.Sqrt(sg*sg+1)) + float64(x[k])/(sg*sg+1)
		if math.Abs(float64(r.PredOriginalSample[k])-want) > 1e-6 {
			t.Errorf("v x0[%d] = %v, want %v", k, r.PredOriginalSample[k], want)
		}
	}
}

// Swapping: every key of the source config is kept, the new class's
// defaults fill the rest, overrides win.
func TestSwapKeepsConfig(t *testing.T) {
	euler := mustNew(t, EulerDiscrete, sdxlConfig())
	dpm := mustNew(t, DPMSolverMultistep, euler.Config().With(Config{UseKarrasSigmas: Ptr(true)}))
	c := dpm.Config()
	if c.ClassName != DPMSolverMultistep || *c.TimestepSpacing != "leading" || *c.StepsOffset != 1 || !*c.UseKarrasSigmas ||
		*c.SolverOrder != 2 || *c.AlgorithmType != "dpmsolver++" || !math.IsInf(float64(*c.LambdaMinClipped), -1) {
		b, _ := json.Marshal(c)
		t.Errorf("resolved DPM config: %s", b)
	}
	if *c.InterpolationType != "linear" {
		t.Error("a key DPM does not use was dropped")
	}
	if *euler.Config().UseKarrasSigmas {
		t.Error("the override leaked into the source config")
	}
	// And back: Euler from DPM's config keeps the Karras flag.
	back := mustNew(t, EulerDiscrete, c)
	if !*back.Config().UseKarrasSigmas || *back.Config().TimestepType != "discrete" {
		t.Error("round trip lost keys")
	}
}

func TestConfigJSONRoundTrip(t *testing.T) {
	src := []byte(`{"_class_name": "DPMSolverMultistepScheduler", "lambda_min_clipped": -Infinity,
		"num_train_timesteps": 1000, "sigma_min": null, "trained_betas": null, "use_karras_sigmas": false}`)
	c, err := ParseConfig(src)
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsInf(float64(*c.LambdaMinClipped), -1) || c.SigmaMin != nil || c.TrainedBetas != nil || *c.UseKarrasSigmas {
		t.Errorf("parsed %+v", c)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"lambda_min_clipped":"-Infinity"`) {
		t.Errorf("marshalled %s", b)
	}
	p := filepath.Join(t.TempDir(), "scheduler_config.json")
	os.WriteFile(p, b, 0o644)
	s, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if s.ClassName() != DPMSolverMultistep {
		t.Errorf("Load built %s", s.ClassName())
	}
}

func TestFinalSigmaMin(t *testing.T) {
	s := steps(t, EulerDiscrete, sdxlConfig().With(Config{FinalSigmasType: Ptr("sigma_min")}), 4)
	if got := s.Sigmas()[4]; got != 0.0291675329 {
		t.Errorf("final sigma %v, want σ_0 of the table", got)
	}
}

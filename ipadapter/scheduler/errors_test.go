package scheduler

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/torchrand"
)

func mustNew(t *testing.T, class string, c Config) Scheduler {
	t.Helper()
	s, err := New(class, c)
	if err != nil {
		t.Fatalf("New(%s): %v", class, err)
	}
	return s
}

func wantErr(t *testing.T, err error, kind error, contains string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v mentioning %q", kind, contains)
	}
	if !errors.Is(err, kind) {
		t.Errorf("error %q is not %v", err, kind)
	}
	if !strings.Contains(err.Error(), contains) {
		t.Errorf("error %q does not mention %q", err, contains)
	}
}

func TestBadStepCounts(t *testing.T) {
	for _, class := range ClassNames() {
		s := mustNew(t, class, sdxlConfig())
		wantErr(t, s.SetTimesteps(0), ErrInvalidSteps, "at least 1")
		wantErr(t, s.SetTimesteps(-4), ErrInvalidSteps, "at least 1")
		wantErr(t, s.SetTimesteps(1001), ErrInvalidSteps, "more than num_train_timesteps 1000")
		if err := s.SetTimesteps(1000); class != DDIM && err != nil {
			t.Errorf("%s: 1000 steps: %v", class, err)
		}
	}
	// DDIM with steps_offset 1 and 1000 steps would index ᾱ[1000].
	s := mustNew(t, DDIM, sdxlConfig())
	wantErr(t, s.SetTimesteps(1000), ErrInvalidSteps, "outside the training schedule")
}

func TestUnknownClass(t *testing.T) {
	_, err := New("LMSDiscreteScheduler", sdxlConfig())
	wantErr(t, err, ErrUnknownScheduler, "LMSDiscreteScheduler")
	_, err = FromConfig(Config{})
	wantErr(t, err, ErrInvalidConfig, "_class_name")
	_, err = FromConfig(Config{ClassName: "PNDMScheduler"})
	wantErr(t, err, ErrUnknownScheduler, "PNDMScheduler")
}

func TestBadConfigValues(t *testing.T) {
	cases := []struct {
		class    string
		override Config
		kind     error
		mention  string
	}{
		{EulerDiscrete, Config{TimestepSpacing: Ptr("uniform")}, ErrInvalidConfig, "timestep_spacing"},
		{DDIM, Config{TimestepSpacing: Ptr("uniform")}, ErrInvalidConfig, "timestep_spacing"},
		{DPMSolverMultistep, Config{TimestepSpacing: Ptr("uniform")}, ErrInvalidConfig, "timestep_spacing"},
		{EulerAncestralDiscrete, Config{TimestepSpacing: Ptr("uniform")}, ErrInvalidConfig, "timestep_spacing"},
		{EulerDiscrete, Config{BetaSchedule: Ptr("cubic")}, ErrInvalidConfig, "beta_schedule"},
		{DDIM, Config{BetaSchedule: Ptr("sigmoid")}, ErrInvalidConfig, "beta_schedule"},
		{EulerDiscrete, Config{PredictionType: Ptr("flow")}, ErrInvalidConfig, "prediction_type"},
		{EulerAncestralDiscrete, Config{PredictionType: Ptr("sample")}, ErrNotImplemented, "prediction_type"},
		{EulerDiscrete, Config{InterpolationType: Ptr("cubic")}, ErrInvalidConfig, "interpolation_type"},
		{EulerDiscrete, Config{FinalSigmasType: Ptr("one")}, ErrInvalidConfig, "final_sigmas_type"},
		{EulerDiscrete, Config{UseKarrasSigmas: Ptr(true), UseExponentialSigmas: Ptr(true)}, ErrInvalidConfig, "only one"},
		{EulerDiscrete, Config{UseBetaSigmas: Ptr(true)}, ErrNotImplemented, "use_beta_sigmas"},
		{EulerDiscrete, Config{TrainedBetas: []float64{0.1, 0.2}}, ErrInvalidConfig, "trained_betas"},
		{EulerDiscrete, Config{StepsOffset: Ptr(-1)}, ErrInvalidConfig, "steps_offset"},
		{DDIM, Config{Thresholding: Ptr(true)}, ErrNotImplemented, "thresholding"},
		{DPMSolverMultistep, Config{AlgorithmType: Ptr("sde-dpmsolver++")}, ErrNotImplemented, "sde-dpmsolver++"},
		{DPMSolverMultistep, Config{AlgorithmType: Ptr("unipc")}, ErrInvalidConfig, "algorithm_type"},
		{DPMSolverMultistep, Config{SolverOrder: Ptr(4)}, ErrInvalidConfig, "solver_order"},
		{DPMSolverMultistep, Config{SolverType: Ptr("rk4")}, ErrInvalidConfig, "solver_type"},
		{DPMSolverMultistep, Config{UseLuLambdas: Ptr(true)}, ErrNotImplemented, "use_lu_lambdas"},
	}
	for _, c := range cases {
		_, err := New(c.class, sdxlConfig().With(c.override))
		wantErr(t, err, c.kind, c.mention)
	}
}

func TestBadStepCalls(t *testing.T) {
	shape := []int{1, 4, 2, 2}
	x := make([]float32, 16)
	for _, class := range ClassNames() {
		s := mustNew(t, class, sdxlConfig())
		_, err := s.Step(x, 0, x, shape, torchrand.NewGenerator(0))
		wantErr(t, err, ErrInvalidSteps, "SetTimesteps first")
		_, err = s.StepInput(0)
		wantErr(t, err, ErrInvalidSteps, "SetTimesteps first")
		if err := s.SetTimesteps(4); err != nil {
			t.Fatal(err)
		}
		_, err = s.Step(x, 4, x, shape, torchrand.NewGenerator(0))
		wantErr(t, err, ErrInvalidSteps, "outside 0..3")
		_, err = s.ScaleModelInput(x, -1)
		wantErr(t, err, ErrInvalidSteps, "outside 0..3")
		_, err = s.Step(x[:8], 0, x, shape, torchrand.NewGenerator(0))
		wantErr(t, err, ErrShape, "16 elements")
	}
	dpm := mustNew(t, DPMSolverMultistep, sdxlConfig())
	dpm.SetTimesteps(4)
	_, err := dpm.Step(x, 1, x, shape)
	wantErr(t, err, ErrInvalidSteps, "expects step 0")

	ea := mustNew(t, EulerAncestralDiscrete, sdxlConfig())
	ea.SetTimesteps(4)
	if _, err := ea.Step(x, 0, x, shape); err == nil || !strings.Contains(err.Error(), "generator") {
		t.Errorf("ancestral step without a generator: %v", err)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	if _, err := LoadConfig(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("missing file accepted")
	}
	p := filepath.Join(t.TempDir(), "scheduler_config.json")
	os.WriteFile(p, []byte(`{"_class_name": "DDIMScheduler", "steps_offset": "one"}`), 0o644)
	if _, err := LoadConfig(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("bad JSON: %v", err)
	}
}

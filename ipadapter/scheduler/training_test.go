package scheduler

import (
	"math"
	"testing"
)

func sdxlConfig() Config {
	return Config{
		ClassName:         EulerDiscrete,
		NumTrainTimesteps: Ptr(1000),
		BetaStart:         Ptr(0.00085),
		BetaEnd:           Ptr(0.012),
		BetaSchedule:      Ptr("scaled_linear"),
		PredictionType:    Ptr("epsilon"),
		InterpolationType: Ptr("linear"),
		TimestepSpacing:   Ptr("leading"),
		StepsOffset:       Ptr(1),
		UseKarrasSigmas:   Ptr(false),
		ClipSample:        Ptr(false),
		SetAlphaToOne:     Ptr(false),
		SkipPRKSteps:      Ptr(true),
		SampleMaxValue:    Ptr(1.0),
	}
}

// Reference values of the SDXL training schedule. Most are scheduler.md
// §2's; ᾱ[999] and σ[999] are PyTorch 1.13's as the golden fixtures show
// them (σ_max of the Karras schedules: 14.614645): the spec's 0.00466009509
// and 14.6146469 come from the textbook linspace, not torch's kernel.
func TestSDXLTrainingSchedule(t *testing.T) {
	tr, err := newTraining(resolve(EulerDiscrete, eulerDefaults, sdxlConfig()), true)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name string
		got  float32
		want float32
	}{
		{"betas[0]", tr.betas[0], 0.000849999953},
		{"betas[999]", tr.betas[999], 0.0119999992},
		{"alphas_cumprod[0]", tr.alphasCumprod[0], 0.999149978},
		{"alphas_cumprod[999]", tr.alphasCumprod[999], 0.00466009602},
		{"sigma[0]", tr.sigmas[0], 0.0291675329},
		{"sigma[1]", tr.sigmas[1], 0.041314479},
		{"sigma[999]", tr.sigmas[999], 14.614645},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %.9g, want %.9g", c.name, c.got, c.want)
		}
	}
}

func TestTorchLinspace(t *testing.T) {
	v := torchLinspace32(0, 1, 5)
	want := []float32{0, 0.25, 0.5, 0.75, 1}
	for i := range v {
		if v[i] != want[i] {
			t.Errorf("linspace(0,1,5)[%d] = %v", i, v[i])
		}
	}
	// Both ends are exact whatever the rounding in between.
	w := torchLinspace32(0.0001, 0.02, 1000)
	if w[0] != 0.0001 || w[999] != 0.02 {
		t.Errorf("ends %v %v", w[0], w[999])
	}
	if got := torchLinspace32(3, 7, 1); len(got) != 1 || got[0] != 3 {
		t.Errorf("one step: %v", got)
	}
}

func TestCumprodAccumulatesInFloat64(t *testing.T) {
	x := []float32{0.9999, 0.9999, 0.9999, 0.9999}
	got := cumprod32(x)
	p := 1.0
	for i, v := range x {
		p *= float64(v)
		if got[i] != float32(p) {
			t.Errorf("prefix %d: %v, want float32 of the float64 product %v", i, got[i], float32(p))
		}
	}
}

func TestCosineSchedule(t *testing.T) {
	c := resolve(DDIM, ddimDefaults, Config{BetaSchedule: Ptr("squaredcos_cap_v2")})
	tr, err := newTraining(c, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(tr.betas); i++ {
		if tr.betas[i] < tr.betas[i-1] || tr.betas[i] > 0.999 {
			t.Fatalf("betas not increasing and capped at %d: %v %v", i, tr.betas[i-1], tr.betas[i])
		}
	}
	if tr.betas[999] != 0.999 {
		t.Errorf("last beta %v, want the 0.999 cap", tr.betas[999])
	}
}

// Zero terminal SNR: ᾱ_T becomes 0 (DDIM) or the 2^-24 floor that Euler
// and DPM-Solver pin it to; ᾱ_0 is unchanged.
func TestRescaleZeroTerminalSNR(t *testing.T) {
	plain, _ := newTraining(resolve(EulerDiscrete, eulerDefaults, sdxlConfig()), true)
	c := sdxlConfig()
	c.RescaleBetasZeroSNR = Ptr(true)
	euler, err := newTraining(resolve(EulerDiscrete, eulerDefaults, c), true)
	if err != nil {
		t.Fatal(err)
	}
	if euler.alphasCumprod[999] != 0x1p-24 {
		t.Errorf("Euler ᾱ_T = %v, want 2^-24", euler.alphasCumprod[999])
	}
	ddim, _ := newTraining(resolve(DDIM, ddimDefaults, c), false)
	if ddim.alphasCumprod[999] != 0 {
		t.Errorf("DDIM ᾱ_T = %v, want 0", ddim.alphasCumprod[999])
	}
	if d := math.Abs(float64(ddim.alphasCumprod[0] - plain.alphasCumprod[0])); d > 1e-7 {
		t.Errorf("ᾱ_0 moved by %v", d)
	}
}

package ipadapter

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/scheduler"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/torchrand"
)

// latentsOf runs req (as latents) and returns the final latents.
func latentsOf(t *testing.T, p *Pipeline, req Request) []float32 {
	t.Helper()
	req.OutputType = OutputLatents
	res, err := p.Generate(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	return res.Latents.Data
}

func TestGenerateCancelled(t *testing.T) {
	sp := folderPipeline(t)
	call := basicCall(t)
	sp.prepare(t, call)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	steps := 0
	req := call.req
	req.Progress = func(p Progress) { steps = p.Step }
	_, err := sp.p.Generate(ctx, req)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want one wrapping context.Canceled", err)
	}
	if steps != 0 {
		t.Errorf("%d steps ran after the context was cancelled", steps)
	}
}

// TestSweepsDoNotRecompile: IP scales (InstantStyle included), windows and
// schedulers change only graph inputs, so after the first run nothing
// compiles again; and each change changes the result.
func TestSweepsDoNotRecompile(t *testing.T) {
	sp := folderPipeline(t)
	call := basicCall(t)
	sp.prepare(t, call)
	req := call.req
	req.NumInferenceSteps = 3
	var results [][]float32
	run := func(scale adapter.AdapterScale) {
		t.Helper()
		if err := sp.p.SetIPAdapterScale(scale); err != nil {
			t.Fatal(err)
		}
		results = append(results, latentsOf(t, sp.p, req))
	}
	run(adapter.Scale(0.2))
	compiled := sp.p.unet.Compilations()
	run(adapter.Scale(0.9))
	run(adapter.StyleOnly())
	if err := sp.p.SetScheduler(scheduler.DPMSolverMultistep, scheduler.Config{UseKarrasSigmas: scheduler.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	run(adapter.Scale(0.9))
	if class, cfg := sp.p.Scheduler(); class != scheduler.DPMSolverMultistep || cfg.UseKarrasSigmas == nil || !*cfg.UseKarrasSigmas {
		t.Errorf("scheduler is %s with use_karras_sigmas %v", class, cfg.UseKarrasSigmas)
	}
	if got := sp.p.unet.Compilations(); got != compiled {
		t.Errorf("%d UNet compilations after changing scales and scheduler, want %d", got, compiled)
	}
	for i := 1; i < len(results); i++ {
		if slices.Equal(results[i], results[i-1]) {
			t.Errorf("run %d gave the same latents as run %d", i, i-1)
		}
	}
	// Swapping back gives the loaded scheduler, whatever came between.
	if err := sp.p.SetScheduler(scheduler.EulerDiscrete, scheduler.Config{}); err != nil {
		t.Fatal(err)
	}
	run(adapter.Scale(0.2))
	if !slices.Equal(results[len(results)-1], results[0]) {
		t.Error("Euler after DPM-Solver does not give the first run back")
	}
	if err := sp.p.SetScheduler("LMSDiscreteScheduler", scheduler.Config{}); !errors.Is(err, scheduler.ErrUnknownScheduler) {
		t.Errorf("unknown scheduler: error %v", err)
	}
}

// TestIPAdapterWindows: an adapter active only from half-way is, before
// that, exactly an adapter at scale 0 (which adds exact zeros).
func TestIPAdapterWindows(t *testing.T) {
	sp := folderPipeline(t)
	call := basicCall(t)
	sp.prepare(t, call)
	req := call.req
	req.NumInferenceSteps = 4
	trace := func(scale adapter.Scale, w adapter.Window) [][]float32 {
		t.Helper()
		if err := sp.p.SetIPAdapterScale(scale); err != nil {
			t.Fatal(err)
		}
		var lat [][]float32
		r := req
		r.IPAdapterWindows = []adapter.Window{w}
		r.OutputType = OutputLatents
		r.Progress = func(p Progress) { lat = append(lat, p.Latents.Data) }
		if _, err := sp.p.Generate(t.Context(), r); err != nil {
			t.Fatal(err)
		}
		return lat
	}
	late := trace(0.8, adapter.Window{Start: 0.5, End: 1}) // steps 2 and 3 of 0..3
	off := trace(0, adapter.Always)
	always := trace(0.8, adapter.Always)
	for i := 1; i <= 2; i++ {
		if !slices.Equal(late[i], off[i]) {
			t.Errorf("step %d: the window should keep the adapter off", i)
		}
	}
	if slices.Equal(late[4], off[4]) || slices.Equal(late[4], always[4]) {
		t.Error("the windowed run should differ from both scale 0 and the adapter always on")
	}
}

// TestSeedIsRecorded: a run without a seed draws one and says which, and
// that seed makes the run again; generators, one per image, are recorded
// by their initial seeds.
func TestSeedIsRecorded(t *testing.T) {
	sp := folderPipeline(t)
	call := basicCall(t)
	sp.prepare(t, call)
	if err := sp.p.SetIPAdapterScale(call.scales...); err != nil {
		t.Fatal(err)
	}
	req := call.req
	req.NumInferenceSteps, req.Seed, req.OutputType = 2, nil, OutputLatents
	res, err := sp.p.Generate(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Metadata.Seed == nil {
		t.Fatal("no seed recorded for a run without one")
	}
	req.Seed = Seed(*res.Metadata.Seed)
	if !slices.Equal(latentsOf(t, sp.p, req), res.Latents.Data) {
		t.Error("the recorded seed does not reproduce the run")
	}

	req.Seed, req.NumImagesPerPrompt = nil, 2
	req.Generators = []*torchrand.Generator{torchrand.NewGenerator(7), torchrand.NewGenerator(8)}
	res, err = sp.p.Generate(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if m := res.Metadata; m.Seed != nil || !slices.Equal(m.GeneratorSeeds, []uint64{7, 8}) {
		t.Errorf("metadata seed %v, generator seeds %v; want none and [7 8]", m.Seed, m.GeneratorSeeds)
	}
}

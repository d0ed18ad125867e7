package ipadapter

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/guidance"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/hostfloat"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/scheduler"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/torchrand"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
)

// Generate runs the pipeline: StableDiffusionXLPipeline.__call__ with the
// loaded IP-Adapters. The steps are diffusers', in its order: validate the
// request; encode the prompts; set the scheduler's timesteps; draw the
// initial latents (randn_tensor × init_noise_sigma); build the time ids;
// encode the reference images (once); then per step: CFG batch,
// scale_model_input, UNet (timestep, IP scales and masks are graph
// inputs, so one compiled graph serves every step and every scale), CFG
// combine, optional rescale, scheduler step; finally decode (the VAE in
// float32 when its config says force_upcast) and post-process.
//
// ctx is checked before every step: a cancelled run stops within one step
// and returns an error wrapping ctx.Err().
func (p *Pipeline) Generate(ctx context.Context, req Request) (*Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.unet == nil {
		return nil, errClosed
	}
	clock := progressClock{start: time.Now()}
	pl, err := p.plan(req)
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	g := &generation{p: p, pl: pl, clock: clock}
	res, err := g.run(ctx)
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	return res, nil
}

// generation is the state of one Generate call.
type generation struct {
	p     *Pipeline
	pl    *plan
	clock progressClock

	sched    scheduler.Scheduler
	gens     []*torchrand.Generator
	seed     *uint64
	text     *textInputs
	ip       *adapter.Conditioning
	shape    []int // latents [Bb, C, h, w]
	warnings []string
	// attention are the maps captured so far (Request.AttentionMaps).
	attention []*StepAttention
}

func (g *generation) run(ctx context.Context) (*Result, error) {
	p, pl := g.p, g.pl
	emb, err := p.text.EncodePrompt(clip.PromptRequest{
		Prompt: pl.req.Prompt, Prompt2: pl.req.Prompt2,
		NegativePrompt: pl.req.NegativePrompt, NegativePrompt2: pl.req.NegativePrompt2,
		NumImagesPerPrompt: pl.perPrompt, ClassifierFreeGuidance: pl.cfg, ClipSkip: pl.req.ClipSkip,
	})
	if err != nil {
		return nil, err
	}
	g.warnings = append(g.warnings, emb.Warnings...)
	if g.sched, err = p.newScheduler(pl.req.Eta); err != nil {
		return nil, err
	}
	if err := g.sched.SetTimesteps(pl.steps); err != nil {
		return nil, err
	}
	g.gens, g.seed = pl.generators()
	g.shape = []int{pl.images(), p.unet.UNet().Config().InChannels, pl.latentH, pl.latentW}
	latents, err := initialLatents(g.shape, g.gens, g.sched.InitNoiseSigma())
	if err != nil {
		return nil, fmt.Errorf("initial latents: %w", err)
	}
	if g.text, err = pl.textInputs(emb); err != nil {
		return nil, err
	}
	if err := g.prepareIPAdapter(); err != nil {
		return nil, err
	}
	g.report(Progress{Step: 0, Total: pl.steps, Latents: newArray(latents, g.shape...)})
	g.clock.loopStart = time.Now()
	for i := range pl.steps {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("interrupted before step %d of %d: %w", i+1, pl.steps, err)
		}
		if latents, err = g.step(i, latents); err != nil {
			return nil, fmt.Errorf("step %d of %d: %w", i+1, pl.steps, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("interrupted before decoding: %w", err)
	}
	res, err := g.output(latents)
	if err != nil {
		return nil, err
	}
	if res.Metadata, err = g.metadata(ctx); err != nil {
		return nil, err
	}
	res.Warnings = append(res.Warnings, g.warnings...)
	res.Attention = g.attention
	return res, nil
}

// prepareIPAdapter encodes the reference images (or takes the given
// embeddings) and prepares the adapters' per-step inputs, once per request.
func (g *generation) prepareIPAdapter() error {
	p, pl := g.p, g.pl
	if pl.numAdapters == 0 {
		return nil
	}
	embeds := pl.req.IPAdapterImageEmbeds
	if embeds == nil {
		var err error
		if embeds, err = p.encodeImages(pl.req.IPAdapterImages); err != nil {
			return err
		}
	}
	if err := p.adapters.SetWindows(pl.windows...); err != nil {
		return err
	}
	cond, err := p.adapters.Prepare(adapter.Request{
		Embeds: embeds, Batch: pl.images(), CFG: pl.cfg,
		Masks: pl.req.IPAdapterMasks, LatentHeight: pl.latentH, LatentWidth: pl.latentW,
	})
	if err != nil {
		return err
	}
	g.ip = cond
	g.warnings = append(g.warnings, cond.Warnings...)
	return nil
}

// step runs denoising step i and returns the next latents.
func (g *generation) step(i int, latents []float32) ([]float32, error) {
	pl := g.pl
	in, err := g.sched.StepInput(i)
	if err != nil {
		return nil, err
	}
	scaled, err := g.sched.ScaleModelInput(latents, i)
	if err != nil {
		return nil, err
	}
	unetShape := slices.Clone(g.shape)
	if pl.cfg {
		scaled = slices.Concat(scaled, scaled)
		unetShape[0] *= 2
	}
	inputs := unet.Inputs{
		Sample:              tensorOf(scaled, unetShape...),
		Timestep:            tensorOf([]float32{in.Timestep}),
		EncoderHiddenStates: g.text.ehs,
		TextEmbeds:          g.text.textEmbeds,
		TimeIDs:             g.text.timeIDs,
	}
	if g.ip != nil {
		if inputs.IP, err = g.ip.Inputs(i, pl.steps); err != nil {
			return nil, err
		}
	}
	out, att, err := g.predict(i+1, in.Timestep, inputs)
	if err != nil {
		return nil, err
	}
	raw, err := hostfloat.Floats(out)
	if err != nil {
		return nil, err
	}
	eps := raw
	if pl.cfg {
		if eps, err = guidance.CombineBatch(raw, pl.guidance); err != nil {
			return nil, err
		}
		if pl.req.GuidanceRescale > 0 {
			_, cond, err := guidance.Split(raw)
			if err != nil {
				return nil, err
			}
			if eps, err = guidance.Rescale(eps, cond, pl.images(), pl.req.GuidanceRescale); err != nil {
				return nil, err
			}
		}
	}
	r, err := g.sched.Step(eps, i, latents, g.shape, g.gens...)
	if err != nil {
		return nil, err
	}
	g.report(Progress{
		Step: i + 1, Total: pl.steps, Timestep: float64(in.Timestep),
		Latents:   newArray(r.PrevSample, g.shape...),
		UNetInput: newArray(scaled, unetShape...), NoisePred: newArray(raw, unetShape...),
		Attention: att, denoised: r.PredOriginalSample,
	})
	return r.PrevSample, nil
}

// predict runs the UNet for step (1-based), with attention capture when
// the request asks for this step's maps (another compiled graph; the other
// steps run the plain one).
func (g *generation) predict(step int, timestep float32, inputs unet.Inputs) (*tensors.Tensor, *StepAttention, error) {
	if !g.pl.attn.at(step) {
		out, err := g.p.unet.Predict(inputs)
		return out, nil, err
	}
	out, maps, err := g.p.unet.PredictWithAttention(inputs, g.pl.attn.names(inputs.IP))
	if err != nil {
		return nil, nil, err
	}
	att, err := g.stepAttention(step, timestep, inputs.IP, maps)
	if err != nil {
		return nil, nil, err
	}
	g.attention = append(g.attention, att)
	return out, att, nil
}

// report calls the request's progress callback, if any.
func (g *generation) report(pr Progress) {
	if g.pl.req.Progress == nil {
		return
	}
	pr.Elapsed, pr.ETA = g.clock.times(pr.Step, pr.Total)
	g.pl.req.Progress(pr)
}

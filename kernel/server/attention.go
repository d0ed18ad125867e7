package server

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
	"github.com/seed11f6bdef/gonb-ipadapter/kernel/probe"
	"github.com/seed11f6bdef/gonb-ipadapter/kernel/wire"
)

func (s *Server) handleAttention(w http.ResponseWriter, r *http.Request) error {
	var req wire.AttentionRequest
	if err := readJSON(r, &req); err != nil {
		return err
	}
	e, err := s.lookup(nameOf(r, wire.PathAttention))
	if err != nil {
		return err
	}
	st := newStream(w)
	e.mu.Lock()
	defer e.mu.Unlock()
	out, err := e.attention(r.Context(), &req, st)
	st.finish(wire.Event{Attention: out}, err)
	return nil
}

// attention generates, keeping the UNet input of the requested step, then
// replays that UNet call in the probe with capture on.
func (e *entry) attention(ctx context.Context, req *wire.AttentionRequest, st *stream) (*wire.AttentionResult, error) {
	steps := req.Generate.NumInferenceSteps
	if steps == 0 {
		steps = ipadapter.DefaultNumInferenceSteps
	}
	step := req.Step
	if step == 0 {
		step = (steps + 1) / 2
	}
	if step < 1 || step > steps {
		return nil, badRequest("attention: step %d is not one of the %d denoising steps (1…%d)", step, steps, steps)
	}
	var at *ipadapter.Progress
	res, libReq, err := e.generate(ctx, &req.Generate, st, func(p ipadapter.Progress) {
		if p.Step == step {
			at = &p
		}
	})
	if err != nil {
		return nil, err
	}
	if at == nil || at.UNetInput == nil || at.NoisePred == nil {
		return nil, fmt.Errorf("attention: the pipeline reported no UNet input for step %d", step)
	}
	gen, err := finishResult(res, &req.Generate)
	if err != nil {
		return nil, err
	}
	if err := e.ensureProbe(ctx); err != nil {
		return nil, err
	}
	call, ref, err := e.probeCall(res, libReq, at, req.Layers)
	if err != nil {
		return nil, err
	}
	got, err := e.probe.Run(call)
	e.publish() // the probe's compilations
	if err != nil {
		return nil, err
	}
	out := &wire.AttentionResult{
		Result: gen, Step: step, Total: steps, Timestep: at.Timestep,
		NoiseMaxAbsDiff: maxAbsDiff(got.Noise, ref),
	}
	if err := e.fillMaps(out, got, libReq, call.Shape[0], req.Image); err != nil {
		return nil, err
	}
	return out, nil
}

// ensureProbe loads the probe on first use and gives it the pipeline's
// adapters (the caller holds e.mu).
func (e *entry) ensureProbe(ctx context.Context) error {
	if e.probe == nil {
		p, err := probe.Load(ctx, e.spec)
		if err != nil {
			return err
		}
		e.probe = p
	}
	var files *probe.AdapterFiles
	if a := e.info.Adapters; a != nil {
		files = &probe.AdapterFiles{Repo: a.Repo, Subfolder: a.Subfolder, Revision: a.Revision, WeightNames: a.WeightNames}
	}
	return e.probe.SetAdapters(ctx, files)
}

// probeCall rebuilds the conditional half of the step's UNet call; ref is
// the pipeline's noise prediction for that half.
func (e *entry) probeCall(res *ipadapter.Result, req ipadapter.Request, at *ipadapter.Progress, layers []string) (probe.Call, []float32, error) {
	meta := res.Metadata
	in, noise := at.UNetInput, at.NoisePred
	shape := append([]int(nil), in.Shape...)
	sample, ref := in.Data, noise.Data
	if meta.GuidanceScale > 1 {
		// The CFG batch is [negative; positive]: keep the positive half.
		shape[0] /= 2
		half := len(sample) / 2
		sample, ref = sample[half:], ref[half:]
	}
	call := probe.Call{
		Prompt: clip.PromptRequest{
			Prompt: req.Prompt, Prompt2: req.Prompt2,
			NumImagesPerPrompt: meta.NumImagesPerPrompt, ClipSkip: req.ClipSkip,
		},
		Sample: sample, Shape: shape, Timestep: float32(at.Timestep),
		TimeIDs: [6]float32{
			float32(meta.OriginalSize[0]), float32(meta.OriginalSize[1]),
			float32(meta.CropsCoordsTopLeft[0]), float32(meta.CropsCoordsTopLeft[1]),
			float32(meta.TargetSize[0]), float32(meta.TargetSize[1]),
		},
		Height: meta.Height, Width: meta.Width,
		Masks: req.IPAdapterMasks, Windows: req.IPAdapterWindows,
		Step: at.Step - 1, NumSteps: at.Total,
		Layers: layers,
	}
	if e.pipe.NumIPAdapters() > 0 {
		call.Embeds = req.IPAdapterImageEmbeds
		if call.Embeds == nil && req.IPAdapterImages != nil {
			var err error
			if call.Embeds, err = e.pipe.EncodeIPAdapterImages(req.IPAdapterImages); err != nil {
				return call, nil, err
			}
		}
		if len(meta.IPAdapterScale) > 0 {
			var err error
			if call.Scales, err = adapter.ParseScales(meta.IPAdapterScale); err != nil {
				return call, nil, fmt.Errorf("attention: the run's scale %s: %w", meta.IPAdapterScale, err)
			}
		}
	}
	return call, ref, nil
}

// fillMaps converts the probe's maps of one image of the batch to the
// wire's token-major maps, keeping the prompt's tokens of the text maps.
func (e *entry) fillMaps(out *wire.AttentionResult, got *probe.Result, req ipadapter.Request, batch, image int) error {
	if image < 0 || image >= batch {
		return badRequest("attention: image %d of a batch of %d", image, batch)
	}
	prompts := req.Prompt.Strings()
	perPrompt := max(batch/max(len(prompts), 1), 1)
	text := ""
	if len(prompts) > 0 {
		text = prompts[min(image/perPrompt, len(prompts)-1)]
	}
	out.TextTokens = tokenLabels(e.probe.Tokenize(text))
	for _, l := range got.Layers {
		lm := wire.LayerMaps{Name: l.Info.Name, Level: l.Info.Level, Heads: l.Info.Heads, Height: l.Height, Width: l.Width}
		m, err := tokenMajor(l.Text, image, len(out.TextTokens))
		if err != nil {
			return fmt.Errorf("%s: %w", l.Info.Name, err)
		}
		lm.Text = m
		for _, ip := range l.IP {
			m, err := tokenMajor(ip.Map, image, -1)
			if err != nil {
				return fmt.Errorf("%s: %w", l.Info.Name, err)
			}
			lm.IP = append(lm.IP, wire.IPMap{Adapter: ip.Adapter, Image: ip.Image, Scale: float64(ip.Scale), Map: *m})
		}
		out.Layers = append(out.Layers, lm)
	}
	return nil
}

// tokenLabels are the start token, the prompt's tokens and the end token,
// as many as the 77-token context holds, without BPE's word-end marks.
func tokenLabels(tokens []string) []string {
	const context = 77
	labels := []string{"<start>"}
	for _, t := range tokens {
		if len(labels) == context-1 {
			break
		}
		labels = append(labels, strings.TrimSuffix(t, "</w>"))
	}
	return append(labels, "<end>")
}

// tokenMajor takes image b of a [B, queries, keys] map and returns its
// first keep keys (all when keep < 0), token-major.
func tokenMajor(t *tensors.Tensor, b, keep int) (*wire.Map, error) {
	if t == nil {
		return nil, errors.New("map not captured")
	}
	dims := t.Shape().Dimensions
	if len(dims) != 3 || b >= dims[0] {
		return nil, fmt.Errorf("map of shape %v", dims)
	}
	nq, nk := dims[1], dims[2]
	if keep < 0 || keep > nk {
		keep = nk
	}
	data, err := tensorFloats(t)
	if err != nil {
		return nil, err
	}
	out := make(wire.Floats, keep*nq)
	base := b * nq * nk
	for q := range nq {
		row := data[base+q*nk : base+(q+1)*nk]
		for k := range keep {
			out[k*nq+q] = row[k]
		}
	}
	return &wire.Map{Keys: keep, Data: out}, nil
}

// tensorFloats reads a float32 tensor (the recorder's maps are float32).
func tensorFloats(t *tensors.Tensor) ([]float32, error) {
	var out []float32
	err := t.ConstFlatData(func(flat any) {
		if f, ok := flat.([]float32); ok {
			out = append([]float32(nil), f...)
		}
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, fmt.Errorf("attention map of dtype %s, want float32", t.DType())
	}
	return out, nil
}

func maxAbsDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	m := 0.0
	for i := range a {
		m = max(m, math.Abs(float64(a[i])-float64(b[i])))
	}
	return m
}

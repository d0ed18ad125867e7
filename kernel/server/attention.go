package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
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

// attention generates with the pipeline capturing the maps of the
// requested step (ipadapter.Request.AttentionMaps), so the maps are those
// of the UNet call that made the image, and converts them to the wire's
// layout for one image of the batch.
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
	// Checked before generating too: the batch is known from the request.
	batch := max(len(req.Generate.Prompt), 1) * max(req.Generate.NumImagesPerPrompt, 1)
	if req.Image < 0 || req.Image >= batch {
		return nil, badRequest("attention: image %d of a batch of %d", req.Image, batch)
	}
	layers := req.Layers
	if len(layers) == 0 {
		layers = []string{ipadapter.AllAttentionLayers}
	}
	maps := &ipadapter.AttentionMaps{Layers: layers, Steps: []int{step}}
	res, libReq, err := e.generate(ctx, &req.Generate, st, maps)
	if err != nil {
		return nil, err
	}
	var at *ipadapter.StepAttention
	for _, a := range res.Attention {
		if a.Step == step {
			at = a
		}
	}
	if at == nil || len(at.Layers) == 0 {
		return nil, fmt.Errorf("attention: the pipeline returned no maps for step %d", step)
	}
	gen, err := finishResult(res, &req.Generate)
	if err != nil {
		return nil, err
	}
	out := &wire.AttentionResult{Result: gen, Step: at.Step, Total: at.Total, Timestep: at.Timestep}
	if err := e.fillMaps(out, at, libReq, res.Metadata, req.Image); err != nil {
		return nil, err
	}
	return out, nil
}

// fillMaps converts the maps of one image of the batch to the wire's
// token-major maps, keeping the prompt's tokens of the text maps and
// giving each image map the scale its branch was added with.
func (e *entry) fillMaps(out *wire.AttentionResult, at *ipadapter.StepAttention, req ipadapter.Request, meta ipadapter.Metadata, image int) error {
	batch := at.Layers[0].Text.Shape[0]
	if image < 0 || image >= batch {
		return badRequest("attention: image %d of a batch of %d", image, batch)
	}
	prompts := req.Prompt.Strings()
	perPrompt := max(batch/max(len(prompts), 1), 1)
	text := ""
	if len(prompts) > 0 {
		text = prompts[min(image/perPrompt, len(prompts)-1)]
	}
	tokens, err := e.pipe.PromptTokens(text)
	if err != nil {
		return err
	}
	out.TextTokens = tokenLabels(tokens)
	scales, err := e.stepScales(req, meta, at.Step, at.Total)
	if err != nil {
		return err
	}
	for _, l := range at.Layers {
		lm := wire.LayerMaps{Name: l.Layer, Level: l.Level, Heads: l.Heads, Height: l.Height, Width: l.Width}
		if lm.Text, err = tokenMajor(l.Text, image, len(out.TextTokens)); err != nil {
			return fmt.Errorf("%s: %w", l.Layer, err)
		}
		for _, ip := range l.IP {
			m, err := tokenMajor(ip.Map, image, -1)
			if err != nil {
				return fmt.Errorf("%s: %w", l.Layer, err)
			}
			lm.IP = append(lm.IP, wire.IPMap{Adapter: ip.Adapter, Image: ip.Image, Scale: scales.at(ip.Adapter, ip.Image, l.Index), Map: *m})
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
func tokenMajor(a *ipadapter.Array, b, keep int) (*wire.Map, error) {
	if a == nil {
		return nil, errors.New("map not captured")
	}
	dims := a.Shape
	if len(dims) != 3 || b >= dims[0] || len(a.Data) != dims[0]*dims[1]*dims[2] {
		return nil, fmt.Errorf("map of shape %v with %d values", dims, len(a.Data))
	}
	nq, nk := dims[1], dims[2]
	if keep < 0 || keep > nk {
		keep = nk
	}
	out := make(wire.Floats, keep*nq)
	base := b * nq * nk
	for q := range nq {
		row := a.Data[base+q*nk : base+(q+1)*nk]
		for k := range keep {
			out[k*nq+q] = row[k]
		}
	}
	return &wire.Map{Keys: keep, Data: out}, nil
}

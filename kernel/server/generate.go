package server

import (
	"context"
	"net/http"
	"time"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/kernel/wire"
)

func (s *Server) handleGenerate(w http.ResponseWriter, r *http.Request) error {
	var req wire.GenerateRequest
	if err := readJSON(r, &req); err != nil {
		return err
	}
	e, err := s.lookup(nameOf(r, wire.PathGenerate))
	if err != nil {
		return err
	}
	st := newStream(w)
	e.mu.Lock()
	defer e.mu.Unlock()
	res, _, err := e.generate(r.Context(), &req, st, nil)
	var out *wire.GenerateResult
	if err == nil {
		out, err = finishResult(res, &req)
	}
	st.finish(wire.Event{Result: out}, err)
	return nil
}

// generate runs one generation for a wire request, streaming progress to
// st; maps, if not nil, asks the run for attention maps. The caller holds
// e.mu. The request is returned as the library saw it.
func (e *entry) generate(ctx context.Context, r *wire.GenerateRequest, st *stream, maps *ipadapter.AttentionMaps) (*ipadapter.Result, ipadapter.Request, error) {
	if err := e.checkOpen(); err != nil {
		return nil, ipadapter.Request{}, err
	}
	if len(r.IPAdapterScale) > 0 {
		if err := e.setScale(r.IPAdapterScale); err != nil {
			return nil, ipadapter.Request{}, err
		}
	}
	req, err := request(r, e.info.DefaultHeight, e.info.DefaultWidth)
	if err != nil {
		return nil, req, err
	}
	req.AttentionMaps = maps
	var stepSeconds float64
	req.Progress = func(p ipadapter.Progress) {
		if p.Step == p.Total && p.Total > 0 {
			stepSeconds = p.Elapsed.Seconds() / float64(p.Total)
		}
		ev := &wire.Progress{Step: p.Step, Total: p.Total, Timestep: p.Timestep,
			ElapsedSeconds: p.Elapsed.Seconds(), ETASeconds: p.ETA.Seconds()}
		if r.PreviewEvery > 0 && (p.Step%r.PreviewEvery == 0 || p.Step == p.Total) {
			if img, err := p.Preview(0); err == nil {
				ev.Preview, _ = wire.EncodePNG(img)
			}
		}
		st.send(wire.Event{Progress: ev})
	}
	e.info.Busy = true
	e.publish()
	res, err := e.pipe.Generate(ctx, req)
	e.info.Busy = false
	e.info.Generations++
	if err == nil {
		if e.info.FirstStepSeconds == 0 {
			e.info.FirstStepSeconds = stepSeconds
		}
		e.info.LastStepSeconds = stepSeconds
	}
	e.publish()
	if err != nil {
		return nil, req, err
	}
	return res, req, nil
}

// finishResult converts a result and saves its images when asked.
func finishResult(res *ipadapter.Result, r *wire.GenerateRequest) (*wire.GenerateResult, error) {
	out, err := result(res)
	if err != nil {
		return nil, err
	}
	if r.SaveDir != "" && len(res.Images) > 0 {
		prefix := r.SavePrefix
		if prefix == "" {
			prefix = "image-" + time.Now().Format("20060102-150405")
		}
		if out.Saved, err = res.SavePNGs(r.SaveDir, prefix); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Server) handleEmbeds(w http.ResponseWriter, r *http.Request) error {
	var req wire.EmbedsRequest
	if err := readJSON(r, &req); err != nil {
		return err
	}
	e, err := s.lookup(nameOf(r, wire.PathEmbeds))
	if err != nil {
		return err
	}
	images, err := decodePNGs("reference image", req.Images)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.checkOpen(); err != nil {
		return err
	}
	embeds, err := e.pipe.EncodeIPAdapterImages(images)
	if err != nil {
		return badRequest("%w", err)
	}
	var out wire.EmbedsResult
	for _, emb := range embeds {
		out.Embeds = append(out.Embeds, embedsToWire(emb))
	}
	writeJSON(w, out)
	return nil
}

package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/seed11f6bdef/gonb-ipadapter/kernel/wire"
)

// LoadRequest and the other messages are the wire's.
type (
	LoadRequest    = wire.LoadRequest
	AdapterRequest = wire.AdapterRequest
	ComponentRef   = wire.ComponentRef
	PipelineInfo   = wire.PipelineInfo
	Compilations   = wire.Compilations
	Status         = wire.Status
	Embeds         = wire.Embeds
)

// Pipeline is a handle on a pipeline the backend holds by name. It is
// only a name: it stays valid across cells, and Client.Pipeline makes one
// without asking the backend.
type Pipeline struct {
	c    *Client
	name string
}

// Pipeline returns the handle of the pipeline with that name.
func (c *Client) Pipeline(name string) *Pipeline {
	if name == "" {
		name = "default"
	}
	return &Pipeline{c: c, name: name}
}

// Name is the pipeline's name in the backend.
func (p *Pipeline) Name() string { return p.name }

// path is a pipeline-scoped API path.
func (p *Pipeline) path(prefix string) string { return prefix + url.PathEscape(p.name) }

// Load loads a pipeline (ipadapter.FromPretrained or FromSingleFile) or,
// when one with the same name and arguments is loaded, returns it at once
// (Info.Reused). Downloads report through onDownload (nil: none): the
// file's path in its repository, bytes done and its size.
func (c *Client) Load(ctx context.Context, req LoadRequest, onDownload func(file string, done, total int64)) (*Pipeline, *PipelineInfo, error) {
	req.Model = absIfLocal(req.Model)
	req.Config = absIfLocal(req.Config)
	req.VAE.Repo = absIfLocal(req.VAE.Repo)
	req.ImageEncoder.Repo = absIfLocal(req.ImageEncoder.Repo)
	ev, err := c.stream(ctx, wire.PathLoad, req, downloads(onDownload))
	if err != nil {
		return nil, nil, fmt.Errorf("loading %s: %w", req.Model, err)
	}
	return c.Pipeline(ev.Pipeline.Name), ev.Pipeline, nil
}

func downloads(f func(file string, done, total int64)) func(*wire.Event) {
	return func(ev *wire.Event) {
		if f != nil && ev.Download != nil {
			f(ev.Download.File, ev.Download.Done, ev.Download.Total)
		}
	}
}

// Info describes the pipeline.
func (p *Pipeline) Info(ctx context.Context) (*PipelineInfo, error) {
	st, err := p.c.Status(ctx)
	if err != nil {
		return nil, err
	}
	for _, info := range st.Pipelines {
		if info.Name == p.name {
			return &info, nil
		}
	}
	return nil, fmt.Errorf("no pipeline %q is loaded", p.name)
}

// LoadIPAdapter loads IP-Adapters (load_ip_adapter), replacing those
// loaded, and the image encoder they brought when the new ones need
// another; a failed load keeps them. The same files again are kept as
// they are (Info.Reused).
func (p *Pipeline) LoadIPAdapter(ctx context.Context, req AdapterRequest, onDownload func(file string, done, total int64)) (*PipelineInfo, error) {
	req.Repo = absIfLocal(req.Repo)
	ev, err := p.c.stream(ctx, p.path(wire.PathAdapters), req, downloads(onDownload))
	if err != nil {
		return nil, err
	}
	return ev.Pipeline, nil
}

// UnloadIPAdapter removes the adapters and their image encoder.
func (p *Pipeline) UnloadIPAdapter(ctx context.Context) error {
	return p.c.call(ctx, "POST", p.path(wire.PathUnloadIP), struct{}{}, nil)
}

// SetScale is set_ip_adapter_scale: scale is any value whose JSON is
// diffusers' Python argument — 0.6, []float64{0.7, 0.3},
// [][]float64{{0.7, 0.7}}, StyleOnly, StyleAndLayout, or a map such as
// map[string]any{"up": map[string]any{"block_0": []float64{0, 1, 0}}}.
func (p *Pipeline) SetScale(ctx context.Context, scale any) error {
	raw, err := scaleJSON(scale)
	if err != nil {
		return err
	}
	return p.c.call(ctx, "POST", p.path(wire.PathScale), wire.ScaleRequest{Scale: raw}, nil)
}

// InstantStyle's scales (diffusers' IP-Adapter guide): the style block
// alone, or style and layout.
var (
	StyleOnly      = map[string]any{"up": map[string]any{"block_0": []float64{0, 1, 0}}}
	StyleAndLayout = map[string]any{"down": map[string]any{"block_2": []float64{0, 1}}, "up": map[string]any{"block_0": []float64{0, 1, 0}}}
)

func scaleJSON(scale any) (json.RawMessage, error) {
	if raw, ok := scale.(json.RawMessage); ok {
		return raw, nil
	}
	raw, err := json.Marshal(scale)
	if err != nil {
		return nil, fmt.Errorf("IP-Adapter scale %v: %w", scale, err)
	}
	return raw, nil
}

// SetScheduler swaps the scheduler by diffusers class name with config
// overrides in diffusers' keys (nil: none), e.g.
// ("DPMSolverMultistepScheduler", map[string]any{"use_karras_sigmas": true}).
func (p *Pipeline) SetScheduler(ctx context.Context, class string, overrides map[string]any) error {
	req := wire.SchedulerRequest{Class: class}
	if overrides != nil {
		raw, err := json.Marshal(overrides)
		if err != nil {
			return err
		}
		req.Overrides = raw
	}
	return p.c.call(ctx, "POST", p.path(wire.PathScheduler), req, nil)
}

// Close frees the pipeline in the backend.
func (p *Pipeline) Close(ctx context.Context) error {
	return p.c.call(ctx, "POST", p.path(wire.PathClose), struct{}{}, nil)
}

// absIfLocal makes a relative path that exists here absolute: the backend
// runs in another folder than the cell, and a Hub id ("h94/IP-Adapter")
// is told from a local folder the way diffusers tells them, by whether
// the path exists.
func absIfLocal(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	if _, err := os.Stat(p); err != nil {
		return p
	}
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

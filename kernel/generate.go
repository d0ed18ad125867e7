package kernel

import (
	"context"
	"fmt"
	"image"

	"github.com/seed11f6bdef/gonb-ipadapter/kernel/wire"
)

// Generate runs the pipeline (ipadapter.Pipeline.Generate). Cancelling
// ctx (interrupting the cell) stops the run within one step.
func (p *Pipeline) Generate(ctx context.Context, r Request) (*Result, error) {
	w, err := r.wire()
	if err != nil {
		return nil, err
	}
	ev, err := p.c.stream(ctx, p.path(wire.PathGenerate), w, onProgress(r.Progress))
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	if ev.Result == nil {
		return nil, fmt.Errorf("generate: the backend answered without a result")
	}
	return result(ev.Result)
}

func onProgress(f func(Progress)) func(*wire.Event) {
	return func(ev *wire.Event) {
		if f != nil && ev.Progress != nil {
			f(progress(ev.Progress))
		}
	}
}

// EncodeImages encodes reference images once, one list per loaded
// adapter, for Request.IPAdapterImageEmbeds (a sweep over scales then
// skips the image encoder).
func (p *Pipeline) EncodeImages(ctx context.Context, images [][]image.Image) ([]*Embeds, error) {
	lists, err := pngLists(images)
	if err != nil {
		return nil, err
	}
	var out wire.EmbedsResult
	if err := p.c.call(ctx, "POST", p.path(wire.PathEmbeds), wire.EmbedsRequest{Images: lists}, &out); err != nil {
		return nil, fmt.Errorf("encoding reference images: %w", err)
	}
	return out.Embeds, nil
}

package notebook

import (
	"context"
	"fmt"

	"github.com/seed11f6bdef/gonb-ipadapter/kernel"
	"github.com/seed11f6bdef/gonb-ipadapter/kernel/display"
)

// PipelineName is the backend name of the notebooks' SDXL pipeline: they
// all share it, so SDXL is loaded once for all of them.
const PipelineName = "sdxl"

// Pipeline connects to the backend and returns the SDXL pipeline, loading
// it (with a download bar) unless it is loaded already, so every cell can
// ask for it, in any order.
func (c Config) Pipeline(ctx context.Context) (*kernel.Pipeline, error) {
	client, err := kernel.Connect()
	if err != nil {
		return nil, err
	}
	bar := display.NewProgress("Stable Diffusion XL")
	pipe, info, err := client.Load(ctx, kernel.LoadRequest{Name: PipelineName, Model: c.Model, Variant: c.Variant}, bar.Download)
	if err != nil {
		return nil, err
	}
	if !info.Reused {
		bar.Done(fmt.Sprintf("Loaded %s in %.1f s.", c.Model, info.LoadSeconds))
	}
	return pipe, nil
}

// Adapters is the request loading adapter files of the configured
// repository, in order; the Plus and Plus-Face files read the ViT-H image
// encoder (Config.ViTH) instead of the folder's default.
func (c Config) Adapters(files ...string) kernel.AdapterRequest {
	req := kernel.AdapterRequest{Repo: c.AdaptersRepo, Subfolder: c.Subfolder, WeightNames: files}
	for _, f := range files {
		if f == c.Plus || f == c.PlusFace {
			req.ImageEncoderFolder = c.ViTH
		}
	}
	return req
}

package ipadapter

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/imageops"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/loader"
)

// EmbedOptions say where an ImageEmbedder takes the image encoder and the
// feature extractor from: where the pipeline the embeddings are for would
// take them, so that the embeddings are bitwise the pipeline's
// (Pipeline.EncodeIPAdapterImages after LoadIPAdapters with the same
// sources).
type EmbedOptions struct {
	// Options are the pipeline's: Backend, DType, Hub, Variant, and
	// ImageEncoder, which (as for FromPretrained) is the encoder then.
	// VAE is ignored; Config is read when SingleFile is set.
	Options
	// Pipeline is the diffusers pipeline FromPretrained would load (a Hub
	// repository id or a local folder): its image_encoder and
	// feature_extractor are used when its model_index.json lists them.
	// Only those and model_index.json are fetched. "" means none.
	Pipeline string
	// SingleFile is set for a pipeline FromSingleFile would load: the
	// components come from Options.Config (default
	// DefaultSingleFileConfig), its image encoder only if its weights are
	// already on this machine, as FromSingleFile takes it. Pipeline is then
	// ignored.
	SingleFile bool
}

// ImageEmbedder encodes reference images for IP-Adapters without loading
// the SDXL pipeline: the adapter files (their headers only: the kind and
// widths say which encoder output to take), the image encoder and the
// feature extractor's config. It is safe for one goroutine at a time.
type ImageEmbedder struct {
	files     []*adapter.File
	image     *clip.VisionEncoder
	processor imageops.CLIPProcessorConfig
}

// NewImageEmbedder loads what encoding images for the adapters of sources
// needs, choosing the image encoder as the pipeline would: the pipeline's
// (Options.ImageEncoder, or EmbedOptions.Pipeline's image_encoder), which
// must fit the adapters, else the one the first source names
// (IPAdapterSource.ImageEncoderFolder), checked before its weights are
// fetched. Close it when done.
func NewImageEmbedder(ctx context.Context, opts EmbedOptions, sources ...IPAdapterSource) (*ImageEmbedder, error) {
	o, err := opts.Options.resolve()
	if err != nil {
		return nil, err
	}
	if err := checkSources(sources); err != nil {
		return nil, err
	}
	opened, err := openSources(ctx, sources, o)
	opened.close() // the Files keep what encoding needs
	if err != nil {
		return nil, err
	}
	e := &ImageEmbedder{files: opened.files}
	enc, proc, err := opts.pipelineEncoder(ctx, o)
	if err != nil {
		return nil, err
	}
	if enc == nil {
		if sources[0].NoImageEncoder {
			return nil, errors.New("IP-Adapter: NoImageEncoder is set and the pipeline has no image encoder: there is nothing to encode images with")
		}
		if enc, _, err = resolveAdapterEncoder(ctx, sources[0], e.files, o); err != nil {
			return nil, err
		}
	} else {
		cfg, err := clip.ReadVisionConfig(enc.Dir)
		if err != nil {
			return nil, err
		}
		if err := checkEncoder(e.files, cfg); err != nil {
			return nil, fmt.Errorf("the pipeline's image encoder does not fit: %w", err)
		}
	}
	if e.image, err = newImageEncoder(enc, o); err != nil {
		return nil, err
	}
	// As the pipeline: its feature_extractor, else diffusers' default for
	// the encoder's image size.
	e.processor = imageops.DefaultCLIPProcessorConfig(e.image.Model.Config.ImageSize)
	if proc != nil {
		cfg, err := newFeatureExtractor(proc)
		if err != nil {
			e.Close()
			return nil, err
		}
		e.processor = *cfg
	}
	return e, nil
}

// Encode encodes reference images, one list per adapter, as
// Pipeline.EncodeIPAdapterImages does.
func (e *ImageEmbedder) Encode(images [][]image.Image) ([]*adapter.ImageEmbeds, error) {
	if e.image == nil {
		return nil, errors.New("the image embedder is closed")
	}
	return adapter.EncodeImages(e.files, adapter.ImageEncoder{Processor: e.processor, Vision: e.image}, images)
}

// Close frees the image encoder.
func (e *ImageEmbedder) Close() {
	if e.image != nil {
		e.image.Close()
		e.image = nil
	}
}

// EncodeImagesWith loads an ImageEmbedder, encodes images (one list per
// adapter of sources) and frees it: the embeddings the pipeline would
// make, without loading the pipeline.
func EncodeImagesWith(ctx context.Context, opts EmbedOptions, sources []IPAdapterSource, images [][]image.Image) ([]*adapter.ImageEmbeds, error) {
	e, err := NewImageEmbedder(ctx, opts, sources...)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	return e.Encode(images)
}

// pipelineEncoder resolves the image encoder and feature extractor the
// pipeline would have (nil for those it has not), fetching nothing else.
func (opts EmbedOptions) pipelineEncoder(ctx context.Context, o resolved) (enc, proc *loader.Component, err error) {
	root := opts.Pipeline
	if opts.SingleFile {
		root = o.Config
		if root == "" {
			root = DefaultSingleFileConfig
		}
	}
	lo := loader.Options{Hub: o.Hub, Variant: o.Variant}
	if !o.ImageEncoder.IsZero() {
		lo.Replace = map[string]loader.Location{"image_encoder": o.location(o.ImageEncoder)}
	}
	if root == "" {
		if lo.Replace == nil {
			return nil, nil, nil
		}
		c, _, err := loader.ResolveStandalone(ctx, "image_encoder", lo.Replace["image_encoder"], o.Hub)
		return c, nil, err
	}
	index, err := readModelIndex(ctx, root, o)
	if err != nil {
		return nil, nil, err
	}
	encOpts := lo
	if _, listed := index.Components["image_encoder"]; opts.SingleFile && listed && lo.Replace == nil {
		// FromSingleFile takes the config folder's image encoder only if
		// its weights are on this machine.
		encOpts.Hub.Offline = true
	}
	if enc, err = resolveOne(ctx, root, index, "image_encoder", encOpts); err != nil {
		return nil, nil, err
	}
	if proc, err = resolveOne(ctx, root, index, "feature_extractor", lo); err != nil {
		return nil, nil, err
	}
	return enc, proc, nil
}

// resolveOne resolves one component of a pipeline (nil when the pipeline
// does not list it and lo does not add it), skipping every other.
func resolveOne(ctx context.Context, root string, index *loader.ModelIndex, name string, lo loader.Options) (*loader.Component, error) {
	if _, listed := index.Components[name]; !listed && lo.Replace[name].Repo == "" {
		return nil, nil
	}
	for other := range index.Components {
		if other != name {
			lo.Skip = append(lo.Skip, other)
		}
	}
	replace := lo.Replace
	lo.Replace = nil
	if loc, ok := replace[name]; ok {
		lo.Replace = map[string]loader.Location{name: loc}
	}
	lp, err := loader.Resolve(ctx, root, lo)
	if err != nil {
		return nil, err
	}
	return lp.Components[name], nil
}

// readModelIndex reads a pipeline's model_index.json, to know its
// component names.
func readModelIndex(ctx context.Context, root string, o resolved) (*loader.ModelIndex, error) {
	path, err := fetchRepoFile(ctx, root, "model_index.json", o.Hub)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	index, err := loader.ParseModelIndex(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return index, nil
}

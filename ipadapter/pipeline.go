package ipadapter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/imageops"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/loader"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/scheduler"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/vae"
)

// Pipeline is diffusers' StableDiffusionXLPipeline with IPAdapterMixin:
// text encoders, UNet, VAE, scheduler and optionally an image encoder and
// loaded IP-Adapters, on one backend. Methods may be called from several
// goroutines; they run one at a time (a generation holds the pipeline).
type Pipeline struct {
	mu sync.Mutex

	opts   resolved
	source string // what the pipeline was loaded from, for metadata

	text *clip.PromptEncoder
	unet *unet.Model
	vae  *vae.Model

	// image is the IP-Adapter image encoder, nil without one; processor is
	// the pipeline's feature_extractor, nil when it has none (then
	// diffusers' default for the encoder's image size is used).
	image     *clip.VisionEncoder
	imageRec  *modelRecord
	processor *imageops.CLIPProcessorConfig
	// imageForAdapters says the image encoder was loaded by LoadIPAdapters
	// from the adapters' repository, not chosen with the pipeline: loading
	// adapters that need another one may replace it.
	imageForAdapters bool

	// schedBase is the scheduler config as loaded; sched is the current
	// class and resolved config (SetScheduler).
	schedBase scheduler.Config
	sched     scheduler.Scheduler

	adapters    *adapter.Adapters
	adapterRecs []*modelRecord
	scales      []adapter.AdapterScale

	records []*modelRecord // the components' files, but the image encoder's and the IP-Adapters'
	notes   []string       // what loading wants the user to know

	// retired counts the compilations of image encoders and projections
	// since replaced or unloaded, so Compilations never goes down.
	retired Compilations
}

// FromPretrained loads a diffusers SDXL pipeline (model_index.json and one
// folder per component) from a Hub repository id, through the Hugging
// Face cache, or from a local folder, as StableDiffusionXLPipeline.
// from_pretrained(repoOrDir, variant=…, vae=…, image_encoder=…) does.
func FromPretrained(ctx context.Context, repoOrDir string, opts Options) (*Pipeline, error) {
	o, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	lp, err := loader.Resolve(ctx, repoOrDir, o.loaderOptions())
	if err != nil {
		return nil, err
	}
	return build(lp, o)
}

// build makes the models of a resolved pipeline.
func build(lp *loader.Pipeline, o resolved) (*Pipeline, error) {
	if !strings.HasPrefix(lp.Index.ClassName, "StableDiffusionXL") {
		return nil, fmt.Errorf("%s is a %q; this package runs Stable Diffusion XL pipelines (StableDiffusionXLPipeline)", lp.Source, lp.Index.ClassName)
	}
	p := &Pipeline{opts: o, source: lp.Source, notes: lp.Notes}
	if err := p.buildModels(lp); err != nil {
		p.Close()
		return nil, err
	}
	p.records, p.imageRec = provenanceOf(lp, o)
	return p, nil
}

// buildModels builds every component the pipeline needs, and the optional
// image encoder and feature extractor when it has them.
func (p *Pipeline) buildModels(lp *loader.Pipeline) error {
	o := p.opts
	var err error
	if p.text, err = newPromptEncoder(lp, o); err != nil {
		return err
	}
	c, err := lp.Component("unet")
	if err != nil {
		return err
	}
	if p.unet, err = newUNet(c, o); err != nil {
		return err
	}
	if c, err = lp.Component("vae"); err != nil {
		return err
	}
	if p.vae, err = newVAE(c, o); err != nil {
		return err
	}
	if c, err = lp.Component("scheduler"); err != nil {
		return err
	}
	if p.schedBase, err = newSchedulerConfig(c); err != nil {
		return err
	}
	if p.sched, err = scheduler.FromConfig(p.schedBase); err != nil {
		return fmt.Errorf("scheduler (%s): %w", c.Origin, err)
	}
	if c := lp.Components["feature_extractor"]; c != nil {
		if p.processor, err = newFeatureExtractor(c); err != nil {
			return err
		}
	}
	if c := lp.Components["image_encoder"]; c != nil {
		if p.image, err = newImageEncoder(c, o); err != nil {
			return err
		}
	}
	return p.checkTimeEmbedding()
}

// newPromptEncoder builds the (tokenizer, text_encoder) pairs the pipeline
// has, in diffusers' order (the refiner has only the second).
func newPromptEncoder(lp *loader.Pipeline, o resolved) (*clip.PromptEncoder, error) {
	pe := &clip.PromptEncoder{ForceZerosForEmptyPrompt: lp.Index.ForceZerosForEmptyPrompt}
	for _, pair := range [][2]string{{"tokenizer", "text_encoder"}, {"tokenizer_2", "text_encoder_2"}} {
		tc, ec := lp.Components[pair[0]], lp.Components[pair[1]]
		if tc == nil && ec == nil {
			continue
		}
		if tc == nil || ec == nil {
			pe.Close()
			return nil, fmt.Errorf("%s: a pipeline needs both %s and %s, or neither", lp.Source, pair[0], pair[1])
		}
		tok, err := newTokenizer(tc)
		if err != nil {
			pe.Close()
			return nil, err
		}
		enc, err := newTextEncoder(ec, o)
		if err != nil {
			pe.Close()
			return nil, err
		}
		pe.Tokenizers = append(pe.Tokenizers, tok)
		pe.Encoders = append(pe.Encoders, enc)
	}
	if len(pe.Encoders) == 0 {
		return nil, fmt.Errorf("%s has no text encoder", lp.Source)
	}
	return pe, nil
}

// checkTimeEmbedding is the pipeline's _get_add_time_ids consistency
// check, done once at load time since it depends on the models only: six
// time ids of addition_time_embed_dim each plus the pooled text embedding
// must fill add_embedding.linear_1.
func (p *Pipeline) checkTimeEmbedding() error {
	cfg := p.unet.UNet().Config()
	if cfg.AdditionEmbedType == nil || *cfg.AdditionEmbedType != "text_time" {
		return fmt.Errorf("the UNet's addition_embed_type is %v: an SDXL UNet has \"text_time\"", deref(cfg.AdditionEmbedType))
	}
	enc := p.text.Encoders[len(p.text.Encoders)-1]
	passed := 6*deref(cfg.AdditionTimeEmbedDim) + enc.Model.Config.ProjectionDim
	if expected := deref(cfg.ProjectionClassEmbeddingsInputDim); expected != passed {
		return fmt.Errorf("Model expects an added time embedding vector of length %d, but a vector of %d was created. The model has an incorrect config. Please check `unet.config.time_embedding_type` and `text_encoder_2.config.projection_dim`", expected, passed)
	}
	return nil
}

func deref[T any](v *T) T {
	var zero T
	if v == nil {
		return zero
	}
	return *v
}

// DefaultSize is the image size used when a request gives none: the UNet's
// sample_size times the VAE's scale factor (1024×1024 for SDXL).
func (p *Pipeline) DefaultSize() (height, width int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.unet == nil {
		return 0, 0, errClosed
	}
	return p.defaultSize()
}

// Notes are what loading wants the user to know: weights of another variant
// than asked for, replaced components, checkpoint tensors left unused.
func (p *Pipeline) Notes() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.notes)
}

// defaultSize is DefaultSize for callers holding p.mu.
func (p *Pipeline) defaultSize() (height, width int, err error) {
	raw := p.unet.UNet().Config().SampleSize
	var n int
	var hw []int
	switch {
	case json.Unmarshal(raw, &n) == nil && n > 0:
		hw = []int{n, n}
	case json.Unmarshal(raw, &hw) == nil && len(hw) == 2 && hw[0] > 0 && hw[1] > 0:
	default:
		return 0, 0, fmt.Errorf("the UNet's sample_size %s is not a size: give Height and Width", raw)
	}
	f := p.vae.Config.ScaleFactor()
	return hw[0] * f, hw[1] * f, nil
}

// Close frees every model's compiled graphs and weights. The pipeline must
// not be used afterwards.
func (p *Pipeline) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.adapters != nil {
		p.adapters.Unload()
		p.adapters = nil
	}
	if p.image != nil {
		p.image.Close()
		p.image = nil
	}
	if p.text != nil {
		p.text.Close()
		p.text = nil
	}
	if p.unet != nil {
		p.unet.Close()
		p.unet = nil
	}
	if p.vae != nil {
		p.vae.Finalize()
		p.vae = nil
	}
}

// errClosed is returned by methods of a closed pipeline.
var errClosed = errors.New("the pipeline is closed")

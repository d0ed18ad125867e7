package ipadapter

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/hub"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/imageops"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/loader"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// IPAdapterSource names IP-Adapter weight files as load_ip_adapter's
// arguments do.
type IPAdapterSource struct {
	// Repo is a Hub repository id ("h94/IP-Adapter"), a local folder laid
	// out the same way, or a single weight file (then WeightNames is empty).
	Repo string
	// Subfolder holds the weight files ("sdxl_models").
	Subfolder string
	// WeightNames are the files, one per adapter, in load order
	// ("ip-adapter_sdxl.safetensors"); .bin files work too.
	WeightNames []string
	// Revision of Repo; "" means "main".
	Revision string
	// ImageEncoderFolder is where the image encoder is loaded from when the
	// pipeline has none: a name without "/" is a folder of Subfolder, a
	// path with "/" is relative to the repository root
	// ("models/image_encoder"). "" means diffusers' default,
	// "image_encoder" (for h94's sdxl_models: the ViT-bigG/14 encoder).
	ImageEncoderFolder string
	// NoImageEncoder is diffusers' image_encoder_folder=None: no encoder
	// is loaded, so only precomputed embeddings can be used.
	NoImageEncoder bool
}

// LoadIPAdapter loads one or several IP-Adapters from one repository
// folder, replacing those loaded before: pipe.load_ip_adapter(repoOrDir,
// subfolder=subfolder, weight_name=weightNames). The image encoder comes
// from subfolder/image_encoder when the pipeline has none (see
// IPAdapterSource to choose another one). Every adapter starts with
// scale 1.
func (p *Pipeline) LoadIPAdapter(ctx context.Context, repoOrDir, subfolder string, weightNames ...string) error {
	return p.LoadIPAdapterFrom(ctx, IPAdapterSource{Repo: repoOrDir, Subfolder: subfolder, WeightNames: weightNames})
}

// LoadIPAdapterFrom is LoadIPAdapter with every option of load_ip_adapter.
// The adapters are checked against the UNet and the image encoder before
// anything changes: a file made for another model, or an encoder the
// adapter cannot read (the _vit-h adapters with the default ViT-bigG
// encoder), is an error naming what is needed, and the pipeline keeps its
// previous adapters.
func (p *Pipeline) LoadIPAdapterFrom(ctx context.Context, src IPAdapterSource) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.unet == nil {
		return errClosed
	}
	hubOpts := p.opts.hubFor(src.Revision)
	files, sources, recs, err := openAdapterFiles(ctx, src, hubOpts)
	defer func() {
		for _, s := range sources {
			s.Close()
		}
	}()
	if err != nil {
		return err
	}
	layers := p.unet.UNet().CrossAttnLayerInfo()
	for _, f := range files {
		if err := f.CheckUNet(layers); err != nil {
			return err
		}
	}
	if err := p.ensureImageEncoder(ctx, src, files, hubOpts); err != nil {
		return err
	}
	ad, err := adapter.Attach(p.unet, files...)
	if p.adapters != nil {
		if err != nil {
			// The previous adapters' weights may be half replaced: drop them.
			p.adapters.Unload()
			p.adapters, p.adapterRecs, p.scales = nil, nil, nil
		} else {
			// Attach removed their UNet weights; only the projector is left.
			p.adapters.Projector().Close()
		}
	}
	if err != nil {
		return err
	}
	p.adapters, p.adapterRecs, p.scales = ad, recs, nil
	return nil
}

// openAdapterFiles resolves and opens the weight files of src. The files
// read their tensors from sources (which the caller closes once the
// weights are on the backend) that release each tensor's mapped pages
// after it is copied, as components' weights do.
func openAdapterFiles(ctx context.Context, src IPAdapterSource, hubOpts hub.Options) (files []*adapter.File, sources []weights.Source, recs []*modelRecord, err error) {
	names := src.WeightNames
	if len(names) == 0 {
		if st, err := os.Stat(src.Repo); err != nil || st.IsDir() {
			return nil, nil, nil, fmt.Errorf("IP-Adapter: give the weight file names to load from %s (e.g. ip-adapter_sdxl.safetensors)", joinRepoPath(src.Repo, src.Subfolder))
		}
		names = []string{""} // the repository is the file itself
	}
	root := ""
	if st, err := os.Stat(src.Repo); err == nil && st.IsDir() {
		root = src.Repo
	}
	for i, name := range names {
		rel := joinRepoPath(src.Subfolder, name)
		f, s, local, err := openAdapterFile(ctx, src.Repo, rel, hubOpts)
		if s != nil {
			sources = append(sources, s)
		}
		if err != nil {
			return files, sources, nil, fmt.Errorf("IP-Adapter %d: %w", i, err)
		}
		files = append(files, f)
		recs = append(recs, newModelRecord(fmt.Sprintf("ip_adapter.%d", i), joinRepoPath(src.Repo, rel), src.Revision, []string{local}, root))
	}
	return files, sources, recs, nil
}

// openAdapterFile fetches and opens one adapter file (.safetensors or .bin).
func openAdapterFile(ctx context.Context, repo, rel string, hubOpts hub.Options) (*adapter.File, weights.Source, string, error) {
	local, err := fetchRepoFile(ctx, repo, rel, hubOpts)
	if err != nil {
		return nil, nil, "", err
	}
	raw, err := weights.Open(local)
	if err != nil {
		return nil, nil, local, fmt.Errorf("%s: %w", local, err)
	}
	s := newReleasingSource(raw)
	f, err := adapter.FromSource(filepath.Base(local), s)
	return f, s, local, err
}

// ensureImageEncoder makes sure the pipeline has an image encoder the
// adapters can read: its own (diffusers never replaces it), or the one of
// the adapters' repository, whose config is checked before its weights
// are downloaded, so a wrong choice (the ViT-bigG default for a _vit-h
// adapter) costs no gigabytes.
func (p *Pipeline) ensureImageEncoder(ctx context.Context, src IPAdapterSource, files []*adapter.File, hubOpts hub.Options) error {
	if p.image != nil {
		if err := checkEncoder(files, p.image.Model.Config); err != nil {
			return fmt.Errorf("the pipeline's image encoder does not fit: %w (load the pipeline with Options.ImageEncoder naming the right one, or call UnloadIPAdapter, which drops the encoder, before loading this adapter)", err)
		}
		return nil
	}
	if src.NoImageEncoder {
		return nil
	}
	folder := imageEncoderFolder(src)
	cfgPath, err := fetchRepoFile(ctx, src.Repo, joinRepoPath(folder, "config.json"), hubOpts)
	if err != nil {
		return fmt.Errorf("loading the IP-Adapter image encoder (choose one with IPAdapterSource.ImageEncoderFolder or Options.ImageEncoder): %w", err)
	}
	cfg, err := clip.ReadVisionConfig(filepath.Dir(cfgPath))
	if err != nil {
		return err
	}
	if err := checkEncoder(files, cfg); err != nil {
		return fmt.Errorf("the image encoder in %s does not fit: %w (choose another with IPAdapterSource.ImageEncoderFolder, e.g. \"models/image_encoder\" for h94's _vit-h adapters)", joinRepoPath(src.Repo, folder), err)
	}
	return p.loadImageEncoder(ctx, loader.Location{Repo: src.Repo, Subfolder: folder, Revision: src.Revision})
}

// checkEncoder checks an image encoder config against every adapter file.
func checkEncoder(files []*adapter.File, cfg clip.VisionConfig) error {
	var errs []error
	for _, f := range files {
		errs = append(errs, f.CheckEncoder(cfg))
	}
	return errors.Join(errs...)
}

// loadImageEncoder loads a standalone image encoder folder as the
// pipeline's (load_ip_adapter's image_encoder_folder).
func (p *Pipeline) loadImageEncoder(ctx context.Context, loc loader.Location) error {
	c, _, err := loader.ResolveStandalone(ctx, "image_encoder", loc, p.opts.Hub)
	if err != nil {
		return err
	}
	e, err := newImageEncoder(c, p.opts)
	if err != nil {
		return err
	}
	if p.image != nil {
		p.image.Close()
	}
	root := ""
	if st, err := os.Stat(loc.Repo); err == nil && st.IsDir() {
		root = loc.Repo
	}
	p.image, p.imageRec = e, newModelRecord("image_encoder", c.Origin, loc.Revision, c.WeightFiles, root)
	return nil
}

// imageEncoderFolder resolves image_encoder_folder as diffusers does.
func imageEncoderFolder(src IPAdapterSource) string {
	f := src.ImageEncoderFolder
	if f == "" {
		f = "image_encoder"
	}
	if strings.Contains(f, "/") {
		return f
	}
	return joinRepoPath(src.Subfolder, f)
}

// SetIPAdapterScale sets every loaded adapter's scale, one entry per
// adapter: set_ip_adapter_scale. adapter.Scale(0.6) for one adapter,
// adapter.PerAdapter(0.8, 0.35)... for two, adapter.PerImage{0.7, 0.7}
// with masks, adapter.StyleOnly() (InstantStyle); adapter.ParseScales
// reads the Python value written as JSON.
func (p *Pipeline) SetIPAdapterScale(scales ...adapter.AdapterScale) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.adapters == nil {
		return errors.New("set_ip_adapter_scale: no IP-Adapter is loaded (LoadIPAdapter first)")
	}
	if err := p.adapters.SetScale(scales...); err != nil {
		return err
	}
	p.scales = append([]adapter.AdapterScale(nil), scales...)
	return nil
}

// UnloadIPAdapter removes the IP-Adapters, and the image encoder and
// feature extractor with them, as unload_ip_adapter does.
func (p *Pipeline) UnloadIPAdapter() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.adapters == nil {
		return nil
	}
	err := p.adapters.Unload()
	p.adapters, p.adapterRecs, p.scales = nil, nil, nil
	if p.image != nil {
		p.image.Close()
	}
	p.image, p.imageRec, p.processor = nil, nil, nil
	return err
}

// NumIPAdapters is the number of loaded IP-Adapters.
func (p *Pipeline) NumIPAdapters() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.adapters == nil {
		return 0
	}
	return p.adapters.Len()
}

// EncodeIPAdapterImages encodes reference images once, one list per loaded
// adapter ({{img}}; {{a, b}} for one adapter with two images), as
// prepare_ip_adapter_image_embeds does: the result can be passed as
// Request.IPAdapterImageEmbeds any number of times, or saved with
// adapter.SaveEmbeds.
func (p *Pipeline) EncodeIPAdapterImages(images [][]image.Image) ([]*adapter.ImageEmbeds, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.encodeImages(images)
}

// encodeImages runs the image encoder for the loaded adapters (the caller
// holds p.mu).
func (p *Pipeline) encodeImages(images [][]image.Image) ([]*adapter.ImageEmbeds, error) {
	if p.adapters == nil {
		return nil, errors.New("IP-Adapter images were given but no IP-Adapter is loaded (LoadIPAdapter first)")
	}
	if p.image == nil {
		return nil, errors.New("IP-Adapter images were given but the IP-Adapter image encoder is not loaded (it was unloaded, or NoImageEncoder was set): load one with Options.ImageEncoder or IPAdapterSource.ImageEncoderFolder, or pass IPAdapterImageEmbeds")
	}
	proc := imageops.DefaultCLIPProcessorConfig(p.image.Model.Config.ImageSize)
	if p.processor != nil {
		proc = *p.processor
	}
	return p.adapters.EncodeImages(adapter.ImageEncoder{Processor: proc, Vision: p.image}, images)
}

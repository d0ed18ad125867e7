package ipadapter

import (
	"context"
	"errors"
	"image"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/imageops"
)

// LoadIPAdapter loads one or several IP-Adapters from one repository
// folder, replacing those loaded before: pipe.load_ip_adapter(repoOrDir,
// subfolder=subfolder, weight_name=weightNames). The image encoder comes
// from subfolder/image_encoder when the pipeline has none (see
// IPAdapterSource to choose another one). Every adapter starts with
// scale 1.
func (p *Pipeline) LoadIPAdapter(ctx context.Context, repoOrDir, subfolder string, weightNames ...string) error {
	return p.LoadIPAdapters(ctx, IPAdapterSource{Repo: repoOrDir, Subfolder: subfolder, WeightNames: weightNames})
}

// LoadIPAdapterFrom is LoadIPAdapter with every option of load_ip_adapter.
func (p *Pipeline) LoadIPAdapterFrom(ctx context.Context, src IPAdapterSource) error {
	return p.LoadIPAdapters(ctx, src)
}

// LoadIPAdapters loads the adapters of several sources, in order (each
// source's WeightNames in turn), replacing those loaded before:
// load_ip_adapter with lists of repositories, subfolders and weight
// names, which IPAdapterSources turns into sources. The image encoder
// options of the first source apply (diffusers loads the encoder with the
// first adapter); other sources may leave them zero or repeat them.
//
// Everything is checked before anything changes: a file made for another
// model, or an encoder the adapters cannot read (the _vit-h adapters with
// the default ViT-bigG encoder), is an error naming what is needed. The
// load is transactional: whatever fails (a missing file, an encoder that
// does not load, weights that fail to read), the pipeline keeps its
// previous adapters, scales and image encoder — unless the backend fails
// to put the previous adapters' weights back, which the error then says
// (no adapter is loaded).
//
// The image encoder is kept when it fits the new adapters. When it does
// not, an encoder that an earlier load took from the adapters' repository
// is replaced by the one the new adapters need (diffusers would keep it
// and fail at the first image); an encoder the user chose (the pipeline's
// own, or Options.ImageEncoder) is not, and the load is refused. While the
// new encoder loads, the old one is still there: both are in memory until
// the load succeeds.
func (p *Pipeline) LoadIPAdapters(ctx context.Context, sources ...IPAdapterSource) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.unet == nil {
		return errClosed
	}
	if err := checkSources(sources); err != nil {
		return err
	}
	opened, err := openSources(ctx, sources, p.opts)
	defer opened.close()
	if err != nil {
		return err
	}
	layers := p.unet.UNet().CrossAttnLayerInfo()
	for _, f := range opened.files {
		if err := f.CheckUNet(layers); err != nil {
			return err
		}
	}
	enc, err := p.chooseImageEncoder(ctx, sources[0], opened.files)
	if err != nil {
		return err
	}
	ad, err := adapter.Attach(p.unet, opened.files...)
	if err != nil {
		enc.discard()
		if p.adapters != nil && !p.adapters.Loaded() {
			// Attach could not put the previous adapters back (it says
			// so): forget them rather than run a UNet missing weights.
			err = errors.Join(err, p.dropAdapters())
		}
		return err
	}
	if p.adapters != nil {
		// Attach replaced their UNet weights; only the projector is left.
		p.retired.ImageProjection += p.adapters.Projector().Compilations()
		p.adapters.Projector().Close()
	}
	p.useImageEncoder(enc)
	p.adapters, p.adapterRecs, p.scales = ad, opened.recs, nil
	return nil
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
	err := p.dropAdapters()
	p.closeImageEncoder()
	p.processor = nil
	return err
}

// dropAdapters removes the adapters' weights and projection (the caller
// holds p.mu).
func (p *Pipeline) dropAdapters() error {
	p.retired.ImageProjection += p.adapters.Projector().Compilations()
	err := p.adapters.Unload()
	p.adapters, p.adapterRecs, p.scales = nil, nil, nil
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

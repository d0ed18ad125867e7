package adapter

import (
	"errors"
	"fmt"
	"image"

	"github.com/gomlx/compute/dtypes"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
)

// Adapters are IP-Adapters loaded into a UNet model, in load order
// (diffusers' load_ip_adapter with a list of weight names): adapter a's
// to_k_ip/to_v_ip weights live in the UNet's store under
// "<attn2>.processor.to_k_ip.<a>.weight", its image projection in a
// Projector. Each adapter starts with scale 1.0 on every layer and is
// active for every step, as in diffusers.
type Adapters struct {
	files   []*File
	model   *unet.Model
	proj    *Projector
	scales  []AdapterScale
	windows []Window
}

// Load opens adapter files (.bin or .safetensors) and loads them into m,
// replacing any adapters loaded before (diffusers does not append either).
// The files are closed once their weights are on the backend.
func Load(m *unet.Model, paths ...string) (*Adapters, error) {
	files := make([]*File, 0, len(paths))
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for _, p := range paths {
		f, err := Open(p)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return Attach(m, files...)
}

// Attach loads opened adapter files into m, replacing any adapters loaded
// before; the caller closes the files (they are not needed afterwards).
// Every file is checked against the UNet first, so a file made for another
// model (an SD 1.5 adapter in SDXL) leaves m unchanged; and a file that
// fails to read later also leaves m (and the previous Adapters, which stay
// usable) as they were: see stash.go. On success the previous Adapters'
// weights are gone from m; close their Projector.
func Attach(m *unet.Model, files ...*File) (*Adapters, error) {
	if m == nil {
		return nil, errors.New("IP-Adapter: no UNet model given")
	}
	if len(files) == 0 {
		return nil, errors.New("IP-Adapter: no adapter files given")
	}
	layers := m.UNet().CrossAttnLayerInfo()
	for _, f := range files {
		if err := f.CheckUNet(layers); err != nil {
			return nil, err
		}
	}
	proj, err := NewProjector(files, m.Backend(), m.Options())
	if err != nil {
		return nil, err
	}
	previous, err := stashIPWeights(m)
	if err != nil {
		proj.Close()
		return nil, err
	}
	for a, f := range files {
		src, err := f.UNetSource(layers, a)
		if err == nil {
			// Weights keep the file's dtype (F16 for h94 files), like the
			// UNet's own; graphs convert them to the compute dtype.
			err = nn.AddToStore(m.Store(), m.UNet().IPSpecs(a), src, m.Backend(), dtypes.InvalidDType)
		}
		if err != nil {
			err = fmt.Errorf("%s: loading ip_adapter weights: %w", f.Name, err)
			// The compiled graphs hold (or read) the previous weights,
			// which come back unchanged: they stay valid.
			if rerr := errors.Join(removeIPWeights(m), previous.restore()); rerr != nil {
				err = fmt.Errorf("%w; restoring the previous adapters failed, so none is loaded: %w", err, unloadAll(m, previous, rerr))
			}
			proj.Close()
			return nil, err
		}
	}
	// Compiled graphs may hold the previous adapters' weights: drop them
	// with the weights.
	m.ForgetCompiled()
	if err := previous.drop(); err != nil {
		proj.Close()
		return nil, fmt.Errorf("IP-Adapter: no adapter is loaded: %w", unloadAll(m, previous, err))
	}
	ad := &Adapters{model: m, proj: proj, files: files}
	for range files {
		ad.scales = append(ad.scales, Scale(1))
		ad.windows = append(ad.windows, Always)
	}
	return ad, nil
}

// unloadAll removes every IP weight, new and previous, after a failure
// that left m in no known state: then no adapter is loaded (Loaded says
// so for the previous Adapters).
func unloadAll(m *unet.Model, previous *stash, cause error) error {
	err := errors.Join(cause, removeIPWeights(m), previous.drop())
	m.ForgetCompiled()
	return err
}

// Loaded reports whether every adapter's weights are still in the UNet's
// store: false once Unload ran, or after a failed Attach could not restore
// them.
func (ad *Adapters) Loaded() bool {
	for a := range ad.files {
		for _, s := range ad.model.UNet().IPSpecs(a) {
			if ad.model.Store().GetVariable("/"+s.Name) == nil {
				return false
			}
		}
	}
	return true
}

// ipWeightMarkers are the name parts of IP weights in the UNet's store.
var ipWeightMarkers = []string{".processor.to_k_ip.", ".processor.to_v_ip."}

// removeIPWeights deletes every IP-Adapter weight from the UNet's store.
func removeIPWeights(m *unet.Model) error {
	for _, n := range ipWeightPaths(m) {
		if err := m.Store().DeleteVariable(n); err != nil {
			return fmt.Errorf("removing IP-Adapter weight %s: %w", n, err)
		}
	}
	return nil
}

// Unload removes the adapters' weights from the UNet (unload_ip_adapter);
// the Adapters must not be used afterwards.
func (ad *Adapters) Unload() error {
	ad.proj.Close()
	err := removeIPWeights(ad.model)
	ad.model.ForgetCompiled()
	return err
}

// Len is the number of loaded adapters.
func (ad *Adapters) Len() int { return len(ad.files) }

// File returns adapter a's file description (name, kind, sizes).
func (ad *Adapters) File(a int) *File { return ad.files[a] }

// Projector returns the adapters' image projection.
func (ad *Adapters) Projector() *Projector { return ad.proj }

// SetScale sets every adapter's scale, one entry per adapter
// (set_ip_adapter_scale): SetScale(Scale(0.6)) for one adapter,
// SetScale(PerAdapter(0.8, 0.35)...) for two, SetScale(StyleOnly()),
// SetScale(PerImage{0.7, 0.7}) with masks. Per-block entries are checked
// now; per-image entries when the masks are known (Prepare).
func (ad *Adapters) SetScale(scales ...AdapterScale) error {
	if err := checkScaleCount(scales, len(ad.files)); err != nil {
		return err
	}
	layout, err := parseLayout(ad.model.UNet().CrossAttnLayers())
	if err != nil {
		return err
	}
	for a, s := range scales {
		if _, ok := s.(PerImage); ok {
			continue
		}
		if _, err := s.layerScales(layout, 1, false); err != nil {
			return fmt.Errorf("IP-Adapter %d scale %v: %w", a, s, err)
		}
	}
	ad.scales = append([]AdapterScale(nil), scales...)
	return nil
}

// SetWindows sets the part of the denoising each adapter is active for,
// one Window per adapter (beyond diffusers; the default is Always).
func (ad *Adapters) SetWindows(windows ...Window) error {
	if len(windows) != len(ad.files) {
		return fmt.Errorf("%d IP-Adapter windows for %d adapters: give one per adapter", len(windows), len(ad.files))
	}
	for a, w := range windows {
		if err := w.Validate(); err != nil {
			return fmt.Errorf("IP-Adapter %d: %w", a, err)
		}
	}
	ad.windows = append([]Window(nil), windows...)
	return nil
}

// CheckEncoder checks an image encoder against every adapter.
func (ad *Adapters) CheckEncoder(cfg clip.VisionConfig) error {
	var errs []error
	for _, f := range ad.files {
		errs = append(errs, f.CheckEncoder(cfg))
	}
	return errors.Join(errs...)
}

// EncodeImages encodes the reference images, one list per adapter
// ([][]image.Image{{img}} for one adapter with one image, {{a, b}} for one
// adapter with two, {{a}, {b}} for two adapters), as
// prepare_ip_adapter_image_embeds does before batching.
func (ad *Adapters) EncodeImages(enc ImageEncoder, images [][]image.Image) ([]*ImageEmbeds, error) {
	return EncodeImages(ad.files, enc, images)
}

// EncodeImages is Adapters.EncodeImages for adapter files that are not
// loaded into a UNet: encoding needs only their kinds and widths, which
// opening a file reads, so embeddings can be made without the UNet.
func EncodeImages(files []*File, enc ImageEncoder, images [][]image.Image) ([]*ImageEmbeds, error) {
	if len(images) != len(files) {
		return nil, fmt.Errorf("`ip_adapter_image` must have same length as the number of IP Adapters. Got %d images and %d IP Adapters", len(images), len(files))
	}
	out := make([]*ImageEmbeds, len(images))
	for a, imgs := range images {
		e, err := files[a].Encode(enc, imgs)
		if err != nil {
			return nil, err
		}
		out[a] = e
	}
	return out, nil
}

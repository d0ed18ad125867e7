package adapter

import (
	"errors"
	"fmt"
	"image"
	"strings"

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
// model (an SD 1.5 adapter in SDXL) leaves m unchanged.
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
	// Compiled graphs may hold the previous adapters' weights: drop them
	// with the weights.
	err = removeIPWeights(m)
	m.ForgetCompiled()
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
			removeIPWeights(m)
			proj.Close()
			return nil, fmt.Errorf("%s: loading ip_adapter weights: %w", f.Name, err)
		}
	}
	ad := &Adapters{model: m, proj: proj, files: files}
	for range files {
		ad.scales = append(ad.scales, Scale(1))
		ad.windows = append(ad.windows, Always)
	}
	return ad, nil
}

// ipWeightMarkers are the name parts of IP weights in the UNet's store.
var ipWeightMarkers = []string{".processor.to_k_ip.", ".processor.to_v_ip."}

// removeIPWeights deletes every IP-Adapter weight from the UNet's store.
func removeIPWeights(m *unet.Model) error {
	var names []string
	for v := range m.Store().IterVariables() {
		for _, marker := range ipWeightMarkers {
			if strings.Contains(v.Path(), marker) {
				names = append(names, v.Path())
			}
		}
	}
	for _, n := range names {
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
	if len(images) != len(ad.files) {
		return nil, fmt.Errorf("`ip_adapter_image` must have same length as the number of IP Adapters. Got %d images and %d IP Adapters", len(images), len(ad.files))
	}
	out := make([]*ImageEmbeds, len(images))
	for a, imgs := range images {
		e, err := ad.files[a].Encode(enc, imgs)
		if err != nil {
			return nil, err
		}
		out[a] = e
	}
	return out, nil
}

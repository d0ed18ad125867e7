package imageops

import (
	"encoding/json"
	"fmt"
	"image"
	"os"
	"path/filepath"
)

// CLIPProcessorConfig is a CLIPImageProcessor's preprocessor_config.json.
type CLIPProcessorConfig struct {
	DoConvertRGB  bool           `json:"do_convert_rgb"`
	DoResize      bool           `json:"do_resize"`
	Size          map[string]int `json:"size"` // {"shortest_edge": 224} or {"height", "width"}
	Resample      Filter         `json:"resample"`
	DoCenterCrop  bool           `json:"do_center_crop"`
	CropSize      map[string]int `json:"crop_size"`
	DoRescale     bool           `json:"do_rescale"`
	RescaleFactor float64        `json:"rescale_factor"`
	DoNormalize   bool           `json:"do_normalize"`
	ImageMean     []float64      `json:"image_mean"`
	ImageStd      []float64      `json:"image_std"`
	// CompositeAlpha composites RGBA over white before dropping alpha, as
	// transformers 5.x does; false drops alpha as transformers 4.x and
	// diffusers' load_image do (the reference fixtures).
	CompositeAlpha bool `json:"-"`
}

// DefaultCLIPProcessorConfig is what diffusers creates when a pipeline has
// no feature extractor: CLIPImageProcessor(size=imageSize, crop_size=imageSize).
func DefaultCLIPProcessorConfig(imageSize int) CLIPProcessorConfig {
	return CLIPProcessorConfig{
		DoConvertRGB: true, DoResize: true, Size: map[string]int{"shortest_edge": imageSize}, Resample: Bicubic,
		DoCenterCrop: true, CropSize: map[string]int{"height": imageSize, "width": imageSize},
		DoRescale: true, RescaleFactor: 1.0 / 255, DoNormalize: true,
		ImageMean: []float64{0.48145466, 0.4578275, 0.40821073},
		ImageStd:  []float64{0.26862954, 0.26130258, 0.27577711},
	}
}

// LoadCLIPProcessorConfig reads preprocessor_config.json from a folder (or
// the file itself), filling unset keys with CLIPImageProcessor's defaults.
func LoadCLIPProcessorConfig(path string) (CLIPProcessorConfig, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, "preprocessor_config.json")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return CLIPProcessorConfig{}, fmt.Errorf("reading image processor config: %w", err)
	}
	cfg := DefaultCLIPProcessorConfig(224)
	cfg.Size, cfg.CropSize = nil, nil
	if err := json.Unmarshal(data, &cfg); err != nil {
		return cfg, fmt.Errorf("parsing %s: %w", path, err)
	}
	if cfg.Size == nil {
		cfg.Size = map[string]int{"shortest_edge": 224}
	}
	if cfg.CropSize == nil {
		cfg.CropSize = map[string]int{"height": 224, "width": 224}
	}
	return cfg, cfg.validate()
}

func (c CLIPProcessorConfig) validate() error {
	if c.DoNormalize && (len(c.ImageMean) != 3 || len(c.ImageStd) != 3) {
		return fmt.Errorf("image processor: image_mean and image_std need 3 values, got %d and %d", len(c.ImageMean), len(c.ImageStd))
	}
	if c.DoResize {
		if _, ok := c.Size["shortest_edge"]; !ok && (c.Size["height"] <= 0 || c.Size["width"] <= 0) {
			return fmt.Errorf("image processor: size must have shortest_edge or height and width, got %v", c.Size)
		}
	}
	if c.DoCenterCrop && (c.CropSize["height"] <= 0 || c.CropSize["width"] <= 0) {
		return fmt.Errorf("image processor: crop_size must have positive height and width, got %v", c.CropSize)
	}
	switch c.Resample {
	case Nearest, Lanczos, Bilinear, Bicubic:
	default:
		return fmt.Errorf("image processor: resample %d is not supported (0 nearest, 1 lanczos, 2 bilinear, 3 bicubic)", c.Resample)
	}
	return nil
}

// OutputSize is the (height, width) of the pixel values Preprocess makes.
func (c CLIPProcessorConfig) OutputSize() (h, w int) {
	if c.DoCenterCrop {
		return c.CropSize["height"], c.CropSize["width"]
	}
	return c.Size["height"], c.Size["width"]
}

// Preprocess turns one image into pixel values [3, H, W] (channels first,
// float32) exactly as CLIPImageProcessor does on a PIL image: RGB
// conversion, shortest-edge resize with Pillow's filter on the 8-bit image,
// centre crop, rescale (in float64, then float32) and normalise (float32).
func (c CLIPProcessorConfig) Preprocess(img image.Image) ([]float32, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	p, err := FromImage(img)
	if err != nil {
		return nil, fmt.Errorf("CLIP preprocessing: %w", err)
	}
	if c.DoConvertRGB {
		if c.CompositeAlpha {
			p = CompositeOnWhite(p)
		} else {
			p = DropAlpha(p)
		}
	} else if p.Channels != 3 {
		p = DropAlpha(p)
	}
	if c.DoResize {
		w, h := c.resizeSize(p.W, p.H)
		if p, err = Resize(p, w, h, c.Resample); err != nil {
			return nil, fmt.Errorf("CLIP preprocessing: %w", err)
		}
	}
	if c.DoCenterCrop {
		p = centerCrop(p, c.CropSize["height"], c.CropSize["width"])
	}
	out := make([]float32, 3*p.W*p.H)
	for ch := range 3 {
		mean, std := float32(0), float32(1)
		if c.DoNormalize {
			mean, std = float32(c.ImageMean[ch]), float32(c.ImageStd[ch])
		}
		for i := range p.W * p.H {
			v := float32(p.Pix[3*i+ch])
			if c.DoRescale {
				v = float32(float64(p.Pix[3*i+ch]) * c.RescaleFactor)
			}
			if c.DoNormalize {
				v = (v - mean) / std
			}
			out[ch*p.W*p.H+i] = v
		}
	}
	return out, nil
}

// resizeSize is transformers' get_resize_output_image_size for
// {"shortest_edge": s}: the short side becomes s, the long side
// int(s · long / short) (truncated).
func (c CLIPProcessorConfig) resizeSize(w, h int) (int, int) {
	s, ok := c.Size["shortest_edge"]
	if !ok {
		return c.Size["width"], c.Size["height"]
	}
	if w <= h {
		return s, int(float64(s) * float64(h) / float64(w))
	}
	return int(float64(s) * float64(w) / float64(h)), s
}

// centerCrop is transformers' center_crop: offsets (size − crop) // 2,
// zero padding where the image is smaller than the crop.
func centerCrop(p *Pixels, ch, cw int) *Pixels {
	out := NewPixels(cw, ch, p.Channels)
	top, left := floorDiv(p.H-ch, 2), floorDiv(p.W-cw, 2)
	for y := range ch {
		sy := y + top
		if sy < 0 || sy >= p.H {
			continue
		}
		for x := range cw {
			sx := x + left
			if sx < 0 || sx >= p.W {
				continue
			}
			copy(out.Pix[(y*cw+x)*p.Channels:(y*cw+x+1)*p.Channels], p.Pix[(sy*p.W+sx)*p.Channels:])
		}
	}
	return out
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

package kernel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"path/filepath"
	"time"

	"github.com/seed11f6bdef/gonb-ipadapter/kernel/wire"
)

// Request is one generation: ipadapter.Request with images as
// image.Image. Zero values mean diffusers' defaults.
type Request struct {
	// Prompt is one prompt (Python str); Prompts a batch (a list) and
	// then Prompt is ignored. The same holds for the other prompts.
	Prompt, Prompt2, NegativePrompt, NegativePrompt2 string
	Prompts, NegativePrompts                         []string
	ClipSkip                                         int

	// IPAdapterImages: one list per loaded adapter ({{img}}; {{a, b}} one
	// adapter with two images; {{a}, {b}} two adapters).
	IPAdapterImages [][]image.Image
	// IPAdapterImageEmbeds replace the images (Pipeline.EncodeImages).
	IPAdapterImageEmbeds []*Embeds
	// IPAdapterMasks: one list per adapter, one mask per reference image
	// (white = where the image applies); nil for an unmasked adapter.
	IPAdapterMasks [][]image.Image
	// IPAdapterWindows: per adapter, the [start, end] fractions of the
	// steps it is active in ({0, 0} = always).
	IPAdapterWindows [][2]float64
	// Scale, if not nil, is set (SetScale) before generating, atomically
	// with it.
	Scale any

	Height, Width      int
	Steps              int // num_inference_steps
	GuidanceScale      float64
	GuidanceRescale    float64
	NumImagesPerPrompt int
	Eta                float64
	// Seed (kernel.Seed(0)); nil draws a random one, reported in Metadata.
	Seed *uint64

	OriginalSize, TargetSize, CropsCoordsTopLeft                         [2]int
	NegativeOriginalSize, NegativeTargetSize, NegativeCropsCoordsTopLeft [2]int

	// OutputType: "" or "pil" (Images), "np" or "latent" (Array).
	OutputType string
	// Progress, if set, receives every step; PreviewEvery > 0 adds a
	// preview picture every that many steps.
	Progress     func(Progress)
	PreviewEvery int
	// SaveDir makes the backend save every image there as a PNG carrying
	// the run's metadata, named SavePrefix-<i>.png.
	SaveDir, SavePrefix string
}

// Seed returns a pointer to s, for Request.Seed.
func Seed(s uint64) *uint64 { return &s }

// Progress is one step's report.
type Progress struct {
	Step, Total  int
	Timestep     float64
	Elapsed, ETA time.Duration
	// Preview is the predicted image at this step (latent resolution), if
	// the request asked for previews.
	Preview image.Image
}

// Result is a generation's output.
type Result struct {
	Images []image.Image
	// Array is the "np" or "latent" output.
	Array *wire.Array
	// Metadata is the run's metadata as the library writes it into PNGs
	// (models and hashes, seed, every setting); Info its common fields.
	Metadata   json.RawMessage
	Info       Metadata
	Parameters string
	Warnings   []string
	// Saved are the files written for SaveDir.
	Saved []string
}

// Metadata holds the most used fields of the run's metadata.
type Metadata struct {
	Seed              *uint64         `json:"seed"`
	Scheduler         string          `json:"scheduler"`
	Backend           string          `json:"backend"`
	DType             string          `json:"dtype"`
	Height            int             `json:"height"`
	Width             int             `json:"width"`
	NumInferenceSteps int             `json:"num_inference_steps"`
	GuidanceScale     float64         `json:"guidance_scale"`
	IPAdapterScale    json.RawMessage `json:"ip_adapter_scale"`
	Seconds           float64         `json:"seconds"`
}

// wire converts the request.
func (r *Request) wire() (*wire.GenerateRequest, error) {
	w := &wire.GenerateRequest{
		Prompt: prompts(r.Prompt, r.Prompts), Prompt2: prompts(r.Prompt2, nil),
		NegativePrompt: prompts(r.NegativePrompt, r.NegativePrompts), NegativePrompt2: prompts(r.NegativePrompt2, nil),
		ClipSkip:             r.ClipSkip,
		IPAdapterImageEmbeds: r.IPAdapterImageEmbeds, IPAdapterWindows: r.IPAdapterWindows,
		Height: r.Height, Width: r.Width, NumInferenceSteps: r.Steps,
		GuidanceScale: r.GuidanceScale, GuidanceRescale: r.GuidanceRescale,
		NumImagesPerPrompt: r.NumImagesPerPrompt, Eta: r.Eta, Seed: r.Seed,
		OriginalSize: r.OriginalSize, TargetSize: r.TargetSize, CropsCoordsTopLeft: r.CropsCoordsTopLeft,
		NegativeOriginalSize: r.NegativeOriginalSize, NegativeTargetSize: r.NegativeTargetSize,
		NegativeCropsCoordsTopLeft: r.NegativeCropsCoordsTopLeft,
		OutputType:                 r.OutputType, PreviewEvery: r.PreviewEvery,
		SaveDir: r.SaveDir, SavePrefix: r.SavePrefix,
	}
	if w.SaveDir != "" && !filepath.IsAbs(w.SaveDir) {
		abs, err := filepath.Abs(w.SaveDir)
		if err != nil {
			return nil, err
		}
		w.SaveDir = abs
	}
	var err error
	if w.IPAdapterImages, err = pngLists(r.IPAdapterImages); err != nil {
		return nil, fmt.Errorf("reference images: %w", err)
	}
	if w.IPAdapterMasks, err = pngLists(r.IPAdapterMasks); err != nil {
		return nil, fmt.Errorf("masks: %w", err)
	}
	if r.Scale != nil {
		if w.IPAdapterScale, err = scaleJSON(r.Scale); err != nil {
			return nil, err
		}
	}
	return w, nil
}

func prompts(one string, list []string) []string {
	if list != nil {
		return list
	}
	if one == "" {
		return nil
	}
	return []string{one}
}

// pngLists encodes lists of images; a nil list stays nil (an unmasked
// adapter).
func pngLists(lists [][]image.Image) ([][][]byte, error) {
	if lists == nil {
		return nil, nil
	}
	out := make([][][]byte, len(lists))
	for a, list := range lists {
		for i, img := range list {
			if img == nil {
				return nil, fmt.Errorf("image %d of adapter %d is nil", i, a)
			}
			data, err := wire.EncodePNG(img)
			if err != nil {
				return nil, err
			}
			out[a] = append(out[a], data)
		}
	}
	return out, nil
}

func decodePNG(data []byte) (image.Image, error) {
	return png.Decode(bytes.NewReader(data))
}

// progress converts a progress event.
func progress(p *wire.Progress) Progress {
	out := Progress{
		Step: p.Step, Total: p.Total, Timestep: p.Timestep,
		Elapsed: time.Duration(p.ElapsedSeconds * float64(time.Second)),
		ETA:     time.Duration(p.ETASeconds * float64(time.Second)),
	}
	if p.Preview != nil {
		out.Preview, _ = decodePNG(p.Preview)
	}
	return out
}

// result converts a result.
func result(r *wire.GenerateResult) (*Result, error) {
	out := &Result{Metadata: r.Metadata, Parameters: r.Parameters, Warnings: r.Warnings, Saved: r.Saved}
	for i, data := range r.Images {
		img, err := decodePNG(data)
		if err != nil {
			return nil, fmt.Errorf("image %d from the backend: %w", i, err)
		}
		out.Images = append(out.Images, img)
	}
	switch {
	case r.NP != nil:
		out.Array = r.NP
	case r.Latents != nil:
		out.Array = r.Latents
	}
	if out.Array != nil {
		if err := out.Array.Check(); err != nil {
			return nil, err
		}
	}
	if len(r.Metadata) > 0 {
		if err := json.Unmarshal(r.Metadata, &out.Info); err != nil {
			return nil, fmt.Errorf("metadata from the backend: %w", err)
		}
	}
	return out, nil
}

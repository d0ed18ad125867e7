package ipadapter

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/draw"
	"math"
	"strings"
	"time"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/scheduler"
)

// Software names this library in metadata.
const Software = "gonb-ipadapter"

// Metadata is everything needed to make a result again: the models (with
// the sha256 of every weight file), the scheduler, the backend and dtype,
// the seed and every setting. JSON names are diffusers' argument names.
// Reference images, masks and precomputed embeddings are identified by
// the sha256 of their contents (pixels as 8-bit RGBA; float32 values).
type Metadata struct {
	Software string      `json:"software"`
	Pipeline string      `json:"pipeline"`
	Model    string      `json:"model"`
	Variant  string      `json:"variant,omitempty"`
	Models   []ModelInfo `json:"models"`

	Scheduler       string           `json:"scheduler"`
	SchedulerConfig scheduler.Config `json:"scheduler_config"`
	Backend         string           `json:"backend"`
	DType           string           `json:"dtype"`

	// Seed is the seed of the run's generator; GeneratorSeeds are instead
	// the initial seeds of the generators the request passed (their state
	// when passed is not recorded: a fresh generator reproduces the run).
	Seed           *uint64  `json:"seed,omitempty"`
	GeneratorSeeds []uint64 `json:"generator_seeds,omitempty"`

	Prompt             Prompt  `json:"prompt"`
	Prompt2            Prompt  `json:"prompt_2"`
	NegativePrompt     Prompt  `json:"negative_prompt"`
	NegativePrompt2    Prompt  `json:"negative_prompt_2"`
	ClipSkip           int     `json:"clip_skip,omitempty"`
	Height             int     `json:"height"`
	Width              int     `json:"width"`
	NumInferenceSteps  int     `json:"num_inference_steps"`
	GuidanceScale      float64 `json:"guidance_scale"`
	GuidanceRescale    float64 `json:"guidance_rescale"`
	NumImagesPerPrompt int     `json:"num_images_per_prompt"`
	Eta                float64 `json:"eta,omitempty"`
	OriginalSize       [2]int  `json:"original_size"`
	CropsCoordsTopLeft [2]int  `json:"crops_coords_top_left"`
	TargetSize         [2]int  `json:"target_size"`
	// The negative micro-conditioning, when it differs.
	NegativeOriginalSize       []int `json:"negative_original_size,omitempty"`
	NegativeCropsCoordsTopLeft []int `json:"negative_crops_coords_top_left,omitempty"`
	NegativeTargetSize         []int `json:"negative_target_size,omitempty"`

	// IPAdapterScale is set_ip_adapter_scale's argument as JSON
	// (adapter.ParseScales reads it back).
	IPAdapterScale json.RawMessage `json:"ip_adapter_scale,omitempty"`
	// IPAdapterWindows are each adapter's [start, end] fractions of the steps.
	IPAdapterWindows     [][2]float64 `json:"ip_adapter_windows,omitempty"`
	IPAdapterImages      [][]string   `json:"ip_adapter_images,omitempty"`
	IPAdapterImageEmbeds []string     `json:"ip_adapter_image_embeds,omitempty"`
	IPAdapterMasks       []string     `json:"ip_adapter_masks,omitempty"`

	OutputType OutputType `json:"output_type"`
	// Index is the image's position in the batch (set when saving one image).
	Index   int       `json:"index"`
	Created time.Time `json:"created"`
	Seconds float64   `json:"seconds"`
}

// metadata describes the finished run (waiting, if needed, for the weight
// files' hashes computed since load time).
func (g *generation) metadata(ctx context.Context) (Metadata, error) {
	p, pl, r := g.p, g.pl, g.pl.req
	m := Metadata{
		Software: Software, Pipeline: "StableDiffusionXLPipeline", Model: p.source, Variant: p.opts.Variant,
		Scheduler: g.sched.ClassName(), SchedulerConfig: g.sched.Config(),
		Backend: p.opts.backend.String(), DType: strings.ToLower(p.opts.dtype.String()),
		Seed:   g.seed,
		Prompt: r.Prompt, Prompt2: r.Prompt2, NegativePrompt: r.NegativePrompt, NegativePrompt2: r.NegativePrompt2,
		ClipSkip: r.ClipSkip, Height: pl.height, Width: pl.width, NumInferenceSteps: pl.steps,
		GuidanceScale: pl.guidance, GuidanceRescale: r.GuidanceRescale, NumImagesPerPrompt: pl.perPrompt, Eta: r.Eta,
		OriginalSize:       [2]int{int(pl.addTimeIDs[0]), int(pl.addTimeIDs[1])},
		CropsCoordsTopLeft: r.CropsCoordsTopLeft,
		TargetSize:         [2]int{int(pl.addTimeIDs[4]), int(pl.addTimeIDs[5])},
		OutputType:         pl.output,
		Created:            g.clock.start.UTC().Truncate(time.Second),
		Seconds:            math.Round(time.Since(g.clock.start).Seconds()*1000) / 1000,
	}
	for _, gen := range r.Generators {
		m.GeneratorSeeds = append(m.GeneratorSeeds, gen.InitialSeed())
	}
	if pl.negTimeIDs != pl.addTimeIDs {
		n := pl.negTimeIDs
		m.NegativeOriginalSize = []int{int(n[0]), int(n[1])}
		m.NegativeCropsCoordsTopLeft = []int{int(n[2]), int(n[3])}
		m.NegativeTargetSize = []int{int(n[4]), int(n[5])}
	}
	records := append([]*modelRecord(nil), p.records...)
	if pl.numAdapters > 0 {
		m.IPAdapterScale = scalesJSON(p.scales, pl.numAdapters)
		for _, w := range pl.windows {
			m.IPAdapterWindows = append(m.IPAdapterWindows, [2]float64{w.Start, w.End})
		}
		if r.IPAdapterImages != nil && p.imageRec != nil {
			records = append(records, p.imageRec)
		}
		records = append(records, p.adapterRecs...)
		m.IPAdapterImages, m.IPAdapterImageEmbeds, m.IPAdapterMasks = ipInputHashes(r)
	}
	for _, rec := range records {
		info, errs, err := rec.wait(ctx)
		if err != nil {
			return m, fmt.Errorf("waiting for the weight files' hashes: %w", err)
		}
		for _, e := range errs {
			g.warnings = append(g.warnings, fmt.Sprintf("metadata: %v", e))
		}
		m.Models = append(m.Models, info)
	}
	return m, nil
}

// ipInputHashes identifies the request's reference images, embeddings and
// masks by content.
func ipInputHashes(r Request) (images [][]string, embeds, masks []string) {
	for _, list := range r.IPAdapterImages {
		var hs []string
		for _, img := range list {
			hs = append(hs, imageSHA256(img))
		}
		images = append(images, hs)
	}
	for _, e := range r.IPAdapterImageEmbeds {
		embeds = append(embeds, floatsSHA256(e.Shape, e.Negative, e.Positive))
	}
	for _, mk := range r.IPAdapterMasks {
		h := ""
		if mk != nil {
			h = floatsSHA256(mk.Shape, mk.Data)
		}
		masks = append(masks, h)
	}
	return images, embeds, masks
}

// imageSHA256 hashes an image's size and 8-bit non-premultiplied RGBA
// pixels, so the same picture hashes alike whatever file it came from.
func imageSHA256(img image.Image) string {
	b := img.Bounds()
	n, ok := img.(*image.NRGBA)
	if !ok || n.Rect.Min != (image.Point{}) || n.Stride != 4*b.Dx() {
		n = image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(n, n.Rect, img, b.Min, draw.Src)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%dx%d\n", b.Dx(), b.Dy())
	h.Write(n.Pix)
	return hex.EncodeToString(h.Sum(nil))
}

// floatsSHA256 hashes a shape and float32 values (little-endian).
func floatsSHA256(shape []int, parts ...[]float32) string {
	h := sha256.New()
	fmt.Fprintf(h, "%v\n", shape)
	var buf [4]byte
	for _, p := range parts {
		for _, v := range p {
			binary.LittleEndian.PutUint32(buf[:], math.Float32bits(v))
			h.Write(buf[:])
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

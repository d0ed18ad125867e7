package adapter

import (
	"fmt"
	"image"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/imageops"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/hostfloat"
)

// ImageEncoder turns reference images into embeddings: CLIP preprocessing
// (the pipeline's feature_extractor) and the vision encoder.
type ImageEncoder struct {
	Processor imageops.CLIPProcessorConfig
	Vision    *clip.VisionEncoder
}

// Encode makes the adapter's embeddings for images, as diffusers'
// encode_image does: image_embeds with all-zero negatives for plain
// adapters; hidden_states[-2] for Plus and FullFace, with the encoder run on
// an all-zero normalised image (the mean colour, not black) as negative.
// The encoder is checked against the adapter first.
func (f *File) Encode(enc ImageEncoder, images []image.Image) (*ImageEmbeds, error) {
	if enc.Vision == nil {
		return nil, fmt.Errorf("%s: the IP-Adapter image encoder is not loaded: load one (%s) or pass precomputed embeddings", f.Name, neededEncoder(f.Projection))
	}
	if len(images) == 0 {
		return nil, fmt.Errorf("%s: no reference images given", f.Name)
	}
	cfg := enc.Vision.Model.Config
	if err := f.CheckEncoder(cfg); err != nil {
		return nil, err
	}
	h, w := enc.Processor.OutputSize()
	per := cfg.NumChannels * h * w
	kind := f.Kind()
	// Hidden-state kinds need the encoder on a zero image too: it goes in
	// the same batch, first (every row is computed independently).
	extra := 0
	if kind.UsesHiddenStates() {
		extra = 1
	}
	pixels := make([]float32, (extra+len(images))*per)
	for i, img := range images {
		p, err := enc.Processor.Preprocess(img)
		if err != nil {
			return nil, fmt.Errorf("%s: reference image %d: %w", f.Name, i, err)
		}
		if len(p) != per {
			return nil, fmt.Errorf("%s: reference image %d preprocesses to %d values, the encoder takes %d×%d×%d", f.Name, i, len(p), cfg.NumChannels, h, w)
		}
		copy(pixels[(extra+i)*per:], p)
	}
	want := clip.VisionOutputs{ImageEmbeds: !kind.UsesHiddenStates()}
	if kind.UsesHiddenStates() {
		want.HiddenStates = []int{-2}
	}
	res, err := enc.Vision.EncodeFloat32s(pixels, []int{extra + len(images), cfg.NumChannels, h, w}, want)
	if err != nil {
		return nil, fmt.Errorf("%s: encoding reference images: %w", f.Name, err)
	}
	out := res.ImageEmbeds
	if kind.UsesHiddenStates() {
		out = res.HiddenStates[0]
	}
	vals, err := hostfloat.Floats(out)
	if err != nil {
		return nil, err
	}
	dims := out.Shape().Dimensions
	e := &ImageEmbeds{Kind: kind, Encoder: describeEncoder(cfg)}
	e.Shape = append([]int{len(images)}, dims[1:]...)
	row := product(dims[1:])
	e.Positive = vals[extra*row:]
	if kind.UsesHiddenStates() {
		e.Negative = make([]float32, 0, len(e.Positive))
		for range images {
			e.Negative = append(e.Negative, vals[:row]...)
		}
	} else {
		e.Negative = make([]float32, len(e.Positive))
	}
	return e, nil
}

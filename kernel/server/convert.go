package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/imageops"
	"github.com/seed11f6bdef/gonb-ipadapter/kernel/wire"
)

// Conversions between the wire messages and the library's types. They
// check what JSON cannot (PNG data, array shapes) and otherwise leave
// validation to the library, whose messages are diffusers'.

// prompt maps a JSON list to Python's str | list[str] | None.
func prompt(p []string) ipadapter.Prompt {
	switch len(p) {
	case 0:
		return ipadapter.Prompt{}
	case 1:
		return ipadapter.Text(p[0])
	default:
		return ipadapter.Texts(p...)
	}
}

// decodePNGs decodes one list of images per adapter.
func decodePNGs(what string, lists [][][]byte) ([][]image.Image, error) {
	if lists == nil {
		return nil, nil
	}
	out := make([][]image.Image, len(lists))
	for a, list := range lists {
		for i, data := range list {
			img, err := imageops.Decode(bytes.NewReader(data))
			if err != nil {
				return nil, badRequest("%s %d of adapter %d: %w", what, i, a, err)
			}
			out[a] = append(out[a], img)
		}
	}
	return out, nil
}

// request converts a generate request; height and width are the sizes
// masks are prepared for when the request gives none.
func request(r *wire.GenerateRequest, defaultH, defaultW int) (ipadapter.Request, error) {
	req := ipadapter.Request{
		Prompt: prompt(r.Prompt), Prompt2: prompt(r.Prompt2),
		NegativePrompt: prompt(r.NegativePrompt), NegativePrompt2: prompt(r.NegativePrompt2),
		ClipSkip: r.ClipSkip,
		Height:   r.Height, Width: r.Width,
		NumInferenceSteps: r.NumInferenceSteps, GuidanceScale: r.GuidanceScale, GuidanceRescale: r.GuidanceRescale,
		NumImagesPerPrompt: r.NumImagesPerPrompt, Eta: r.Eta, Seed: r.Seed,
		OriginalSize: r.OriginalSize, TargetSize: r.TargetSize, CropsCoordsTopLeft: r.CropsCoordsTopLeft,
		NegativeOriginalSize: r.NegativeOriginalSize, NegativeTargetSize: r.NegativeTargetSize,
		NegativeCropsCoordsTopLeft: r.NegativeCropsCoordsTopLeft,
		OutputType:                 ipadapter.OutputType(r.OutputType),
	}
	var err error
	if req.IPAdapterImages, err = decodePNGs("reference image", r.IPAdapterImages); err != nil {
		return req, err
	}
	for a, e := range r.IPAdapterImageEmbeds {
		emb, err := embedsFromWire(e)
		if err != nil {
			return req, badRequest("image embeddings of adapter %d: %w", a, err)
		}
		req.IPAdapterImageEmbeds = append(req.IPAdapterImageEmbeds, emb)
	}
	if r.IPAdapterMasks != nil {
		h, w := r.Height, r.Width
		if h == 0 {
			h = defaultH
		}
		if w == 0 {
			w = defaultW
		}
		masks, err := decodePNGs("mask", r.IPAdapterMasks)
		if err != nil {
			return req, err
		}
		for a, list := range masks {
			if len(list) == 0 {
				req.IPAdapterMasks = append(req.IPAdapterMasks, nil)
				continue
			}
			m, err := ipadapter.PreprocessMasks(list, h, w)
			if err != nil {
				return req, badRequest("masks of adapter %d: %w", a, err)
			}
			req.IPAdapterMasks = append(req.IPAdapterMasks, m)
		}
	}
	for _, w := range r.IPAdapterWindows {
		req.IPAdapterWindows = append(req.IPAdapterWindows, adapter.Window{Start: w[0], End: w[1]})
	}
	return req, nil
}

func embedsFromWire(e *wire.Embeds) (*adapter.ImageEmbeds, error) {
	if e == nil {
		return nil, fmt.Errorf("missing")
	}
	out := &adapter.ImageEmbeds{Shape: e.Shape, Positive: e.Positive, Negative: e.Negative, Encoder: e.Encoder}
	if e.Kind != "" {
		k, err := adapter.ParseKind(e.Kind)
		if err != nil {
			return nil, err
		}
		out.Kind = k
	}
	return out, nil
}

func embedsToWire(e *adapter.ImageEmbeds) *wire.Embeds {
	out := &wire.Embeds{Shape: e.Shape, Positive: e.Positive, Negative: e.Negative, Encoder: e.Encoder}
	if e.Kind != 0 {
		out.Kind = e.Kind.String()
	}
	return out
}

// result converts a generation's result.
func result(res *ipadapter.Result) (*wire.GenerateResult, error) {
	meta, err := json.Marshal(res.Metadata)
	if err != nil {
		return nil, err
	}
	out := &wire.GenerateResult{
		Metadata: meta, Parameters: res.Metadata.Parameters(),
		Warnings: res.Warnings, Seconds: res.Metadata.Seconds,
	}
	for _, img := range res.Images {
		data, err := wire.EncodePNG(img)
		if err != nil {
			return nil, err
		}
		out.Images = append(out.Images, data)
	}
	if res.NP != nil {
		out.NP = &wire.Array{Shape: res.NP.Shape, Data: res.NP.Data}
	}
	if res.Latents != nil {
		out.Latents = &wire.Array{Shape: res.Latents.Shape, Data: res.Latents.Data}
	}
	return out, nil
}

// strictUnmarshal decodes JSON refusing unknown keys.
func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

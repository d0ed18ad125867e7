package ipadapter

import (
	"encoding/json"
	"image"
	"path/filepath"
	"slices"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
)

// goldenCall is a pipeline case turned into this package's calls: which
// adapters to load, the scales to set, and the request.
type goldenCall struct {
	adapterDir   string   // folder of the adapter files (the "repository")
	adapterNames []string // params.adapters: bare weight names, in load order
	scales       []adapter.AdapterScale
	req          Request
}

// pipelineParams are the params of a pipeline case that are data.
type pipelineParams struct {
	Prompt             string   `json:"prompt"`
	NegativePrompt     *string  `json:"negative_prompt"`
	NumInferenceSteps  int      `json:"num_inference_steps"`
	Height             int      `json:"height"`
	Width              int      `json:"width"`
	GuidanceScale      float64  `json:"guidance_scale"`
	NumImagesPerPrompt int      `json:"num_images_per_prompt"`
	Seed               uint64   `json:"seed"`
	Adapters           []string `json:"adapters"`
	ImageEmbeds        []string `json:"ip_adapter_image_embeds"`
	Masks              []string `json:"ip_adapter_masks"`
	MaskKwargs         struct {
		Height, Width int
	} `json:"mask_preprocess_kwargs"`
}

func caseCall(t *testing.T, c *golden.Case) goldenCall {
	t.Helper()
	var pp pipelineParams
	raw, _ := json.Marshal(c.Params)
	if err := json.Unmarshal(raw, &pp); err != nil {
		t.Fatalf("params: %v", err)
	}
	call := goldenCall{adapterNames: pp.Adapters}
	call.req = Request{
		Prompt: Text(pp.Prompt), NumInferenceSteps: pp.NumInferenceSteps,
		Height: pp.Height, Width: pp.Width, GuidanceScale: pp.GuidanceScale,
		NumImagesPerPrompt: pp.NumImagesPerPrompt, Seed: Seed(pp.Seed),
		OutputType: OutputNP,
	}
	if pp.NegativePrompt != nil {
		call.req.NegativePrompt = Text(*pp.NegativePrompt)
	}
	paths, err := c.ResourcePaths("adapters")
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range paths {
		if filepath.Base(p) != pp.Adapters[i] {
			t.Fatalf("resources.adapters[%d] = %s but params.adapters[%d] = %s", i, p, i, pp.Adapters[i])
		}
		call.adapterDir = filepath.Dir(p)
	}
	var scale json.RawMessage
	if _, err := c.Param("ip_adapter_scale", &scale); err != nil {
		t.Fatal(err)
	}
	if call.scales, err = adapter.ParseScales(scale); err != nil {
		t.Fatal(err)
	}
	cfg := pp.GuidanceScale == 0 || pp.GuidanceScale > 1
	for _, name := range pp.ImageEmbeds {
		vals, shape, err := c.Float32s(name)
		if err != nil {
			t.Fatal(err)
		}
		tensor, err := newArray(vals, shape...).Tensor()
		if err != nil {
			t.Fatal(err)
		}
		e, err := adapter.EmbedsFromTensor(tensor, cfg)
		if err != nil {
			t.Fatal(err)
		}
		call.req.IPAdapterImageEmbeds = append(call.req.IPAdapterImageEmbeds, e)
	}
	call.req.IPAdapterImages = caseImages(t, c)
	call.req.IPAdapterMasks = caseMasks(t, c, pp)
	return call
}

// caseImages loads resources.ip_adapter_images: per adapter, one path or a
// list of paths.
func caseImages(t *testing.T, c *golden.Case) [][]image.Image {
	t.Helper()
	var entries []json.RawMessage
	found, err := c.Resource("ip_adapter_images", &entries)
	if err != nil || !found {
		if err != nil {
			t.Fatal(err)
		}
		return nil
	}
	out := make([][]image.Image, len(entries))
	for a, e := range entries {
		var list []string
		if json.Unmarshal(e, &list) != nil {
			var one string
			if err := json.Unmarshal(e, &one); err != nil {
				t.Fatalf("ip_adapter_images[%d] = %s", a, e)
			}
			list = []string{one}
		}
		for _, rel := range list {
			out[a] = append(out[a], loadCaseImage(t, c, rel))
		}
	}
	return out
}

func loadCaseImage(t *testing.T, c *golden.Case, rel string) image.Image {
	t.Helper()
	p, err := c.Path(rel)
	if err != nil {
		t.Fatal(err)
	}
	img, err := LoadImage(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// caseMasks preprocesses resources.mask_images with PreprocessMasks and
// checks the result bitwise against the case's mask tensors (what
// diffusers' IPAdapterMaskProcessor gave).
func caseMasks(t *testing.T, c *golden.Case, pp pipelineParams) []*adapter.Mask {
	t.Helper()
	var lists [][]string
	found, err := c.Resource("mask_images", &lists)
	if err != nil {
		t.Fatal(err)
	}
	if !found {
		return nil
	}
	masks := make([]*adapter.Mask, len(lists))
	for a, list := range lists {
		var imgs []image.Image
		for _, rel := range list {
			imgs = append(imgs, loadCaseImage(t, c, rel))
		}
		if masks[a], err = PreprocessMasks(imgs, pp.MaskKwargs.Height, pp.MaskKwargs.Width); err != nil {
			t.Fatal(err)
		}
		want, shape, err := c.Float32s(pp.Masks[a])
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(masks[a].Shape, shape) || !slices.Equal(masks[a].Data, want) {
			t.Fatalf("PreprocessMasks gives %v, diffusers %v (or different values)", masks[a].Shape, shape)
		}
	}
	return masks
}

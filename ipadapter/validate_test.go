package ipadapter

import (
	"errors"
	"image"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/torchrand"
)

// basicCall is the first pipeline case with one adapter, one reference
// image, no masks and classifier-free guidance.
func basicCall(t *testing.T) goldenCall {
	t.Helper()
	for _, c := range golden.Load(t).Group("pipeline") {
		call := caseCall(t, c)
		r := call.req
		if len(call.adapterNames) == 1 && len(r.IPAdapterImages) == 1 && len(r.IPAdapterImages[0]) == 1 &&
			r.IPAdapterMasks == nil && (r.GuidanceScale == 0 || r.GuidanceScale > 1) {
			return call
		}
	}
	t.Skip("no pipeline case with one adapter and one image")
	return goldenCall{}
}

// TestGenerateValidation: a bad request is refused before any model runs
// (no graph is compiled), with diffusers' message where it has one.
func TestGenerateValidation(t *testing.T) {
	sp := folderPipeline(t)
	call := basicCall(t)
	sp.prepare(t, call)
	good := call.req
	img := good.IPAdapterImages[0][0]
	embeds, err := sp.p.EncodeIPAdapterImages(good.IPAdapterImages)
	if err != nil {
		t.Fatal(err)
	}
	mask, err := PreprocessMasks([]image.Image{img}, 128, 128)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func(r *Request)
		want string
	}{
		{"height not a multiple of 8", func(r *Request) { r.Height = 100 }, "`height` and `width` have to be divisible by 8 but are 100 and 128"},
		{"negative width", func(r *Request) { r.Width = -8 }, "must be positive"},
		{"negative steps", func(r *Request) { r.NumInferenceSteps = -1 }, "num_inference_steps must be positive, got -1"},
		{"negative images per prompt", func(r *Request) { r.NumImagesPerPrompt = -2 }, "num_images_per_prompt must be positive"},
		{"no prompt", func(r *Request) { r.Prompt = Prompt{} }, "Provide either `prompt` or `prompt_embeds`"},
		{"empty prompt list", func(r *Request) { r.Prompt = Texts() }, "prompt list is empty"},
		{"negative prompts for another batch", func(r *Request) { r.NegativePrompt = Texts("a", "b") }, "has batch size 2, but prompt"},
		{"negative rescale", func(r *Request) { r.GuidanceRescale = -0.5 }, "guidance_rescale"},
		{"unknown output type", func(r *Request) { r.OutputType = "pt" }, `output type "pt"`},
		{"images and embeddings", func(r *Request) { r.IPAdapterImageEmbeds = embeds }, "Provide either `ip_adapter_image` or `ip_adapter_image_embeds`"},
		{"no reference", func(r *Request) { r.IPAdapterImages = nil }, "every generation needs reference images"},
		{"images for two adapters", func(r *Request) { r.IPAdapterImages = [][]image.Image{{img}, {img}} },
			"`ip_adapter_image` must have same length as the number of IP Adapters. Got 2 images and 1 IP Adapters"},
		{"empty image list", func(r *Request) { r.IPAdapterImages = [][]image.Image{{}} }, "no reference image"},
		{"embeddings without negatives", func(r *Request) {
			e := *embeds[0]
			e.Negative = nil
			r.IPAdapterImages, r.IPAdapterImageEmbeds = nil, []*adapter.ImageEmbeds{&e}
		}, "no negative half"},
		{"two masks for one adapter", func(r *Request) { r.IPAdapterMasks = []*adapter.Mask{mask, mask} }, "Length of ip_adapter_masks array (2)"},
		{"backwards window", func(r *Request) { r.IPAdapterWindows = []adapter.Window{{Start: 0.8, End: 0.2}} }, "0 ≤ start ≤ end ≤ 1"},
		{"seed and generators", func(r *Request) { r.Generators = []*torchrand.Generator{torchrand.NewGenerator(1)} }, "not both"},
		{"generators for another batch", func(r *Request) {
			r.Seed, r.Generators = nil, []*torchrand.Generator{torchrand.NewGenerator(1), torchrand.NewGenerator(2), torchrand.NewGenerator(3)}
		}, "list of generators of length 3, but requested an effective batch size of 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := good
			tc.edit(&req)
			before := sp.p.unet.Compilations()
			_, err := sp.p.Generate(t.Context(), req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if sp.p.unet.Compilations() != before {
				t.Error("the UNet was compiled for a request that was refused")
			}
		})
	}
}

// TestClosedPipeline: a closed pipeline says so instead of crashing.
func TestClosedPipeline(t *testing.T) {
	p := ownPipeline(t, testOptions(t))
	p.Close()
	if _, err := p.Generate(t.Context(), Request{Prompt: Text("a cat")}); !errors.Is(err, errClosed) {
		t.Errorf("Generate: %v", err)
	}
	if _, _, err := p.DefaultSize(); !errors.Is(err, errClosed) {
		t.Errorf("DefaultSize: %v", err)
	}
	if err := p.LoadIPAdapter(t.Context(), "x", "", "y"); !errors.Is(err, errClosed) {
		t.Errorf("LoadIPAdapter: %v", err)
	}
	p.Close() // twice is fine
}

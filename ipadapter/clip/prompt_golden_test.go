package clip

import (
	"encoding/json"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

var promptEncoders testutil.Cache[*PromptEncoder]

func promptEncoderFor(t *testing.T, c *golden.Case) *PromptEncoder {
	t.Helper()
	dir, err := c.ResourcePath("model")
	if err != nil {
		t.Fatal(err)
	}
	return promptEncoders.Get(t, dir, func() (*PromptEncoder, error) { return LoadPromptEncoder(dir, testutil.Backend(t), nn.Options{}) })
}

// promptRequestFromParams reads an encode_prompt case's params (the
// keyword arguments of the call) into a PromptRequest.
func promptRequestFromParams(t *testing.T, c *golden.Case) PromptRequest {
	t.Helper()
	var req PromptRequest
	for key, raw := range c.Params {
		var err error
		switch key {
		case "prompt":
			err = json.Unmarshal(raw, &req.Prompt)
		case "prompt_2":
			err = json.Unmarshal(raw, &req.Prompt2)
		case "negative_prompt":
			err = json.Unmarshal(raw, &req.NegativePrompt)
		case "negative_prompt_2":
			err = json.Unmarshal(raw, &req.NegativePrompt2)
		case "do_classifier_free_guidance":
			err = json.Unmarshal(raw, &req.ClassifierFreeGuidance)
		case "num_images_per_prompt":
			err = json.Unmarshal(raw, &req.NumImagesPerPrompt)
		case "clip_skip":
			var skip *int
			if err = json.Unmarshal(raw, &skip); err == nil && skip != nil {
				req.ClipSkip = *skip
			}
		default:
			t.Fatalf("case %s: unknown encode_prompt parameter %q", c.ID, key)
		}
		if err != nil {
			t.Fatalf("case %s: params[%q]: %v", c.ID, key, err)
		}
	}
	return req
}

// TestEncodePromptGolden runs encode_prompt with each case's parameters on
// the case's pipeline folder and compares all four outputs; a case without
// negative outputs (no CFG) must get none.
func TestEncodePromptGolden(t *testing.T) {
	golden.ForGroup(t, "encode_prompt", func(t *testing.T, c *golden.Case) {
		p := promptEncoderFor(t, c)
		res, err := p.EncodePrompt(promptRequestFromParams(t, c))
		if err != nil {
			t.Fatal(err)
		}
		for name, got := range map[string]*tensors.Tensor{
			"out.prompt_embeds":                 res.PromptEmbeds,
			"out.pooled_prompt_embeds":          res.PooledPromptEmbeds,
			"out.negative_prompt_embeds":        res.NegativePromptEmbeds,
			"out.negative_pooled_prompt_embeds": res.NegativePooledPromptEmbeds,
		} {
			if _, expected := c.Outputs[name]; expected {
				v, s := hostFloat32s(t, got)
				golden.AssertClose(t, c, name, v, s)
			} else if got != nil {
				t.Errorf("%s returned, the case has none", name)
			}
		}
	})
}

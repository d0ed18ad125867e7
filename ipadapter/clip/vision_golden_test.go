package clip

import (
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// TestVisionEncoderGolden runs the image encoder on each image_encoder
// case's pixel_values (taken from the preprocessing case named in
// resources.input_files, or zeros for the Plus-adapter negative case) and
// compares every output the case stores.
func TestVisionEncoderGolden(t *testing.T) {
	golden.ForGroup(t, "image_encoder", func(t *testing.T, c *golden.Case) {
		if _, isPreprocessing := c.Outputs["out.pixel_values"]; isPreprocessing {
			t.Skip("image preprocessing is tested in ipadapter/imageops")
		}
		enc := visionEncoderFor(t, c)
		pixels, dims := casePixelValues(t, c, enc.Model.InputDims(1))

		want := VisionOutputs{}
		for name := range c.Outputs {
			switch name {
			case "out.image_embeds":
				want.ImageEmbeds = true
			case "out.hidden_states_m2":
				want.HiddenStates = []int{-2}
			case "out.last_hidden_state":
				want.LastHiddenState = true
			default:
				t.Fatalf("unknown output %s", name)
			}
		}
		res, err := enc.EncodeFloat32s(pixels, dims, want)
		if err != nil {
			t.Fatal(err)
		}
		if want.ImageEmbeds {
			v, s := hostFloat32s(t, res.ImageEmbeds)
			golden.AssertClose(t, c, "out.image_embeds", v, s)
		}
		if len(want.HiddenStates) > 0 {
			v, s := hostFloat32s(t, res.HiddenStates[0])
			golden.AssertClose(t, c, "out.hidden_states_m2", v, s)
		}
		if want.LastHiddenState {
			v, s := hostFloat32s(t, res.LastHiddenState)
			golden.AssertClose(t, c, "out.last_hidden_state", v, s)
		}
	})
}

// casePixelValues returns the encoder input of a case: out.pixel_values
// of the file in resources.input_files.pixel_values, else in.pixel_values
// of the case itself, else — for a case whose call encodes torch.zeros —
// zeros of the model's input shape.
func casePixelValues(t *testing.T, c *golden.Case, zeroDims []int) ([]float32, []int) {
	t.Helper()
	var files map[string]string
	if _, err := c.Resource("input_files", &files); err != nil {
		t.Fatal(err)
	}
	if rel, ok := files["pixel_values"]; ok {
		p, err := c.Path(rel)
		if err != nil {
			t.Fatal(err)
		}
		src, err := weights.OpenSafetensors(p)
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		v, info, err := weights.Float32s(src, "out.pixel_values")
		if err != nil {
			t.Fatal(err)
		}
		return v, info.Shape
	}
	if _, ok := c.Inputs["in.pixel_values"]; ok {
		v, s, err := c.Float32s("in.pixel_values")
		if err != nil {
			t.Fatal(err)
		}
		return v, s
	}
	if !strings.Contains(c.Call, "torch.zeros(") {
		t.Fatalf("case %s has no pixel_values input and its call is not on zeros: %s", c.ID, c.Call)
	}
	n := 1
	for _, d := range zeroDims {
		n *= d
	}
	return make([]float32, n), zeroDims
}

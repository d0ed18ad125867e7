package clip

import (
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
)

// textCaseOutputs maps the output names of text_encoder cases
// ("out.te1.hidden_states_m2") to encoder selections.
var textCaseOutputs = map[string]func(*TextOutputs){
	"hidden_states_m2":  func(o *TextOutputs) { o.HiddenStates = append(o.HiddenStates, -2) },
	"last_hidden_state": func(o *TextOutputs) { o.LastHiddenState = true },
	"pooler_output":     func(o *TextOutputs) { o.Pooled = true },
	"text_embeds":       func(o *TextOutputs) { o.TextEmbeds = true },
}

// TestTextEncoderGolden runs both SDXL text encoders on each case's ids and
// compares every output the case stores: te1 is text_encoder (input_ids_1),
// te2 text_encoder_2 (input_ids_2).
func TestTextEncoderGolden(t *testing.T) {
	golden.ForGroup(t, "text_encoder", func(t *testing.T, c *golden.Case) {
		for name := range c.Outputs {
			if !strings.HasPrefix(name, "out.te1.") && !strings.HasPrefix(name, "out.te2.") {
				t.Fatalf("output %s belongs to neither text encoder", name)
			}
		}
		for k, comp := range []string{"text_encoder", "text_encoder_2"} {
			prefix := "out.te" + string(rune('1'+k)) + "."
			var want TextOutputs
			var names []string
			for name := range c.Outputs {
				if rest, ok := strings.CutPrefix(name, prefix); ok {
					sel, known := textCaseOutputs[rest]
					if !known {
						t.Fatalf("unknown output %s", name)
					}
					sel(&want)
					names = append(names, rest)
				}
			}
			if len(names) == 0 {
				continue
			}
			slices.Sort(names)
			enc := textEncoderFor(t, c, comp)
			ids := idRowsOf(t, c, "in.input_ids_"+string(rune('1'+k)))
			res, err := enc.Encode(ids, want)
			if err != nil {
				t.Fatal(err)
			}
			for _, rest := range names {
				v, shape := hostFloat32s(t, textCaseOutput(res, rest))
				golden.AssertClose(t, c, prefix+rest, v, shape)
			}
		}
	})
}

// textCaseOutput is the result tensor for a text_encoder case output name.
func textCaseOutput(res *TextResult, name string) *tensors.Tensor {
	switch name {
	case "hidden_states_m2":
		return res.HiddenStates[0]
	case "last_hidden_state":
		return res.LastHiddenState
	case "pooler_output":
		return res.Pooled
	case "text_embeds":
		return res.TextEmbeds
	}
	return nil
}

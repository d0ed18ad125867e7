package clip

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// TestVisionBatchAndInputForms encodes two random images together and
// alone, from a tensor and from a flat slice: every form must agree, and
// hidden_states[-1] must be last_hidden_state.
func TestVisionBatchAndInputForms(t *testing.T) {
	m := smallVisionModel(t)
	enc, err := LoadVisionEncoder(writeModelFolder(t, smallVisionConfig, randomNamed(m.Specs(), 4, nil)), testutil.Backend(t), nn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	dims := m.InputDims(2)
	rng := rand.New(rand.NewPCG(3, 4))
	pixels := make([]float32, dims[0]*dims[1]*dims[2]*dims[3])
	for i := range pixels {
		pixels[i] = float32(rng.NormFloat64())
	}
	want := VisionOutputs{HiddenStates: []int{-1}, LastHiddenState: true, ImageEmbeds: true}
	both, err := enc.Encode(tensors.FromFlatDataAndDimensions(pixels, dims...), want)
	if err != nil {
		t.Fatal(err)
	}
	sameTensor(t, "hidden_states[-1] vs last_hidden_state", both.HiddenStates[0], both.LastHiddenState)
	embeds, _ := hostFloat32s(t, both.ImageEmbeds)
	per := len(pixels) / 2
	for b := range 2 {
		one, err := enc.EncodeFloat32s(pixels[b*per:(b+1)*per], m.InputDims(1), VisionOutputs{ImageEmbeds: true})
		if err != nil {
			t.Fatal(err)
		}
		e, _ := hostFloat32s(t, one.ImageEmbeds)
		assertNear(t, "image_embeds of one image", embeds[b*len(e):(b+1)*len(e)], e, 1e-6)
	}
}

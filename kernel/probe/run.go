package probe

import (
	"errors"
	"fmt"
	"slices"

	"github.com/gomlx/compute/dtypes/bfloat16"
	"github.com/gomlx/compute/dtypes/float16"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
)

// Call is one UNet call of a generation, conditional half only: the maps
// a notebook shows are those of the prompt, not of the negative prompt.
type Call struct {
	// Prompt as the generation encoded it (ClassifierFreeGuidance is
	// ignored: only the positive conditioning is computed).
	Prompt clip.PromptRequest
	// Sample is the step's scaled UNet input for the conditional images,
	// [B, C, h, w] (the second half of Progress.UNetInput under CFG).
	Sample []float32
	// Shape is Sample's shape.
	Shape []int
	// Timestep of the step.
	Timestep float32
	// TimeIDs are SDXL's positive micro-conditioning: original size,
	// crop top-left, target size.
	TimeIDs [6]float32
	// Height and Width of the generated image.
	Height, Width int

	// IP-Adapter inputs, as the request gave them: embeddings per adapter,
	// masks, scales (nil: scale 1), windows, and the step (0-based) of
	// NumSteps for the windows.
	Embeds         []*adapter.ImageEmbeds
	Masks          []*adapter.Mask
	Scales         []adapter.AdapterScale
	Windows        []adapter.Window
	Step, NumSteps int

	// Layers are the attn2 modules to capture; empty means all.
	Layers []string
}

// Result holds the noise prediction and the captured maps.
type Result struct {
	// Noise is the UNet's prediction for Call.Sample, [B, C, h, w].
	Noise []float32
	// Layers are the captured layers, in attn_processors order.
	Layers []LayerResult
}

// LayerResult is one attn2 layer's maps, each [B, queries, keys] float32
// averaged over heads, queries the layer's latent pixels in row-major
// order.
type LayerResult struct {
	Info unet.CrossAttnLayer
	// Height and Width of the query grid.
	Height, Width int
	Text          *tensors.Tensor
	IP            []IPResult
}

// IPResult is one attention over an adapter's image tokens.
type IPResult struct {
	Adapter, Image int
	// Scale is the layer's scale for this adapter (and image) at the step.
	Scale float32
	Map   *tensors.Tensor
}

// Run computes the UNet call with attention capture.
func (p *Probe) Run(c Call) (*Result, error) {
	if len(c.Shape) != 4 {
		return nil, fmt.Errorf("attention probe: sample shape %v, want [B, C, h, w]", c.Shape)
	}
	b := c.Shape[0]
	req := c.Prompt
	req.ClassifierFreeGuidance = false
	emb, err := p.text.EncodePrompt(req)
	if err != nil {
		return nil, fmt.Errorf("attention probe: %w", err)
	}
	ehs, err := asFloat32(emb.PromptEmbeds)
	if err != nil {
		return nil, err
	}
	pooled, err := asFloat32(emb.PooledPromptEmbeds)
	if err != nil {
		return nil, err
	}
	if got := ehs.Shape().Dimensions[0]; got != b {
		return nil, fmt.Errorf("attention probe: the prompts give %d rows for %d images", got, b)
	}
	ids := make([]float32, 0, 6*b)
	for range b {
		ids = append(ids, c.TimeIDs[:]...)
	}
	in := unet.Inputs{
		Sample:              tensors.FromFlatDataAndDimensions(slices.Clone(c.Sample), c.Shape...),
		Timestep:            tensors.FromFlatDataAndDimensions([]float32{c.Timestep}),
		EncoderHiddenStates: ehs,
		TextEmbeds:          pooled,
		TimeIDs:             tensors.FromFlatDataAndDimensions(ids, b, 6),
	}
	var cond *adapter.Conditioning
	if len(c.Embeds) > 0 {
		if cond, err = p.conditioning(c, b); err != nil {
			return nil, fmt.Errorf("attention probe: %w", err)
		}
		if in.IP, err = cond.Inputs(c.Step, c.NumSteps); err != nil {
			return nil, fmt.Errorf("attention probe: %w", err)
		}
	}
	layers, names, err := p.plan(c, cond)
	if err != nil {
		return nil, err
	}
	noise, maps, err := p.unet.PredictWithAttention(in, names)
	if err != nil {
		return nil, fmt.Errorf("attention probe: %w", err)
	}
	out := &Result{}
	if out.Noise, err = floats(noise); err != nil {
		return nil, err
	}
	for _, l := range layers {
		l.Text = maps[l.Info.Name]
		for i := range l.IP {
			ip := &l.IP[i]
			ip.Map = maps[unet.IPMapName(l.Info.Name, ip.Adapter, ip.Image)]
		}
		out.Layers = append(out.Layers, l)
	}
	return out, nil
}

// conditioning prepares the adapters' inputs as the pipeline does, for
// the conditional batch only.
func (p *Probe) conditioning(c Call, b int) (*adapter.Conditioning, error) {
	if p.adapters == nil {
		return nil, errors.New("reference images were given but the probe has no IP-Adapter")
	}
	if len(c.Scales) > 0 {
		if err := p.adapters.SetScale(c.Scales...); err != nil {
			return nil, err
		}
	} else {
		ones := make([]adapter.AdapterScale, p.adapters.Len())
		for i := range ones {
			ones[i] = adapter.Scale(1)
		}
		if err := p.adapters.SetScale(ones...); err != nil {
			return nil, err
		}
	}
	windows := c.Windows
	if windows == nil {
		windows = make([]adapter.Window, p.adapters.Len())
	}
	if err := p.adapters.SetWindows(windows...); err != nil {
		return nil, err
	}
	return p.adapters.Prepare(adapter.Request{
		Embeds: c.Embeds, Batch: b, CFG: false, Masks: c.Masks,
		LatentHeight: c.Shape[2], LatentWidth: c.Shape[3],
	})
}

// plan lists the layers to capture and the recorder names of their maps.
func (p *Probe) plan(c Call, cond *adapter.Conditioning) ([]LayerResult, []string, error) {
	all := p.Layers()
	want := map[string]bool{}
	for _, n := range c.Layers {
		want[n] = true
	}
	var layers []LayerResult
	var names []string
	for _, info := range all {
		if len(want) > 0 && !want[info.Name] {
			continue
		}
		delete(want, info.Name)
		h, w := c.Shape[2], c.Shape[3]
		for range info.Level {
			h, w = (h+1)/2, (w+1)/2
		}
		l := LayerResult{Info: info, Height: h, Width: w}
		names = append(names, info.Name)
		for a, e := range c.Embeds {
			masked := a < len(c.Masks) && c.Masks[a] != nil
			table := cond.Scales(a)
			mult := windowAt(c.Windows, a, c.Step, c.NumSteps)
			if !masked {
				l.IP = append(l.IP, IPResult{Adapter: a, Image: -1, Scale: table.At(info.Index, 0) * mult})
				names = append(names, unet.IPMapName(info.Name, a, -1))
				continue
			}
			for i := range e.NumImages() {
				l.IP = append(l.IP, IPResult{Adapter: a, Image: i, Scale: table.At(info.Index, i) * mult})
				names = append(names, unet.IPMapName(info.Name, a, i))
			}
		}
		layers = append(layers, l)
	}
	if len(want) > 0 {
		var missing []string
		for n := range want {
			missing = append(missing, n)
		}
		slices.Sort(missing)
		return nil, nil, fmt.Errorf("attention probe: no attn2 layer named %q (the layers are listed in the status)", missing)
	}
	return layers, names, nil
}

// windowAt is adapter a's window multiplier at a step (1 without windows).
func windowAt(ws []adapter.Window, a, step, steps int) float32 {
	if a >= len(ws) {
		return 1
	}
	return ws[a].Multiplier(step, steps)
}

// asFloat32 converts a host tensor of any float dtype to float32 (the
// text encoders return their compute dtype, float16 on GPUs).
func asFloat32(t *tensors.Tensor) (*tensors.Tensor, error) {
	v, err := floats(t)
	if err != nil {
		return nil, err
	}
	return tensors.FromFlatDataAndDimensions(v, t.Shape().Dimensions...), nil
}

// floats copies a float tensor's values to float32.
func floats(t *tensors.Tensor) ([]float32, error) {
	var out []float32
	err := t.ConstFlatData(func(flat any) {
		switch f := flat.(type) {
		case []float32:
			out = slices.Clone(f)
		case []float64:
			out = convert(f, func(x float64) float32 { return float32(x) })
		case []float16.Float16:
			out = convert(f, float16.Float16.Float32)
		case []bfloat16.BFloat16:
			out = convert(f, bfloat16.BFloat16.Float32)
		}
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, fmt.Errorf("attention probe: tensor of dtype %s is not a float tensor", t.DType())
	}
	return out, nil
}

func convert[T any](in []T, f func(T) float32) []float32 {
	out := make([]float32, len(in))
	for i, x := range in {
		out[i] = f(x)
	}
	return out
}

package unet

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/hostfloat"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// Inputs are the UNet's inputs as host tensors (float32 unless noted).
type Inputs struct {
	Sample              *tensors.Tensor // [B, in_channels, H, W]
	Timestep            *tensors.Tensor // scalar, [1] or [B]; any float or integer dtype, as the scheduler gives it
	EncoderHiddenStates *tensors.Tensor // [B, S, cross_attention_dim]
	TextEmbeds          *tensors.Tensor // [B, pooled] (text_time only)
	TimeIDs             *tensors.Tensor // [B, n ids] (text_time only)
	IP                  []IPInput       // loaded IP-Adapters, in load order
}

// IPInput is IPStream with host tensors (see IPStream for the shapes).
type IPInput struct {
	Adapter int
	Tokens  *tensors.Tensor
	Scales  *tensors.Tensor
	Masks   map[int]*tensors.Tensor
}

func (in Inputs) shapes() inputShapes {
	s := inputShapes{
		Sample: dimsOf(in.Sample), Timestep: dimsOf(in.Timestep), EncoderHiddenStates: dimsOf(in.EncoderHiddenStates),
		TextEmbeds: dimsOf(in.TextEmbeds), TimeIDs: dimsOf(in.TimeIDs),
	}
	for _, st := range in.IP {
		s.IP = append(s.IP, streamShapes(st.Adapter, st.Tokens, st.Scales, st.Masks))
	}
	return s
}

// Predict computes the predicted noise [B, out_channels, H, W] (float32).
func (m *Model) Predict(in Inputs) (*tensors.Tensor, error) {
	out, _, err := m.run(in, nil)
	return out, err
}

// PredictWithAttention also returns the attention maps named in maps (see
// capture.go for the names), each [B, query tokens, key tokens] float32
// averaged over heads. A name no layer produces is an error.
func (m *Model) PredictWithAttention(in Inputs, maps []string) (*tensors.Tensor, map[string]*tensors.Tensor, error) {
	if len(maps) == 0 {
		return nil, nil, errors.New("unet: no attention maps requested")
	}
	return m.run(in, maps)
}

func (m *Model) run(in Inputs, capture []string) (*tensors.Tensor, map[string]*tensors.Tensor, error) {
	if err := m.checkHost(in); err != nil {
		return nil, nil, fmt.Errorf("unet: %w", err)
	}
	ts, err := timestepsFloat32(in.Timestep, in.Sample.Shape().Dimensions[0])
	if err != nil {
		return nil, nil, fmt.Errorf("unet: %w", err)
	}
	capture = slices.Compact(slices.Sorted(slices.Values(capture)))
	exec, err := m.exec(signature(in, capture), in, capture)
	if err != nil {
		return nil, nil, err
	}
	args := []any{in.Sample, ts, in.EncoderHiddenStates}
	if m.unet.addEmbed != nil {
		args = append(args, in.TextEmbeds, in.TimeIDs)
	}
	for _, s := range in.IP {
		args = append(args, s.Tokens, s.Scales)
		for _, q := range slices.Sorted(maps.Keys(s.Masks)) {
			args = append(args, s.Masks[q])
		}
	}
	outs, err := exec.Call(args...)
	if err != nil {
		return nil, nil, err
	}
	if len(outs) != 1+len(capture) {
		return nil, nil, fmt.Errorf("unet: %d attention maps were recorded, %d requested (%s): some names match no attention layer",
			len(outs)-1, len(capture), strings.Join(capture, ", "))
	}
	var maps map[string]*tensors.Tensor
	if len(capture) > 0 {
		maps = map[string]*tensors.Tensor{}
		for i, name := range capture {
			maps[name] = outs[1+i]
		}
	}
	return outs[0], maps, nil
}

// checkHost validates shapes, dtypes and that the adapters' weights are loaded.
func (m *Model) checkHost(in Inputs) error {
	if in.Sample == nil || in.EncoderHiddenStates == nil {
		return errors.New("sample and encoder_hidden_states are required")
	}
	if err := m.unet.check(in.shapes()); err != nil {
		return err
	}
	named := map[string]*tensors.Tensor{"sample": in.Sample, "encoder_hidden_states": in.EncoderHiddenStates,
		"text_embeds": in.TextEmbeds, "time_ids": in.TimeIDs}
	for i, s := range in.IP {
		named[fmt.Sprintf("IP stream %d tokens", i)] = s.Tokens
		named[fmt.Sprintf("IP stream %d scales", i)] = s.Scales
		for q, t := range s.Masks {
			named[fmt.Sprintf("IP stream %d mask for %d queries", i, q)] = t
		}
	}
	for _, name := range slices.Sorted(maps.Keys(named)) {
		if t := named[name]; t != nil && t.DType() != dtypes.Float32 {
			return fmt.Errorf("%s is %s, want float32", name, t.DType())
		}
	}
	for _, s := range in.IP {
		for _, spec := range m.unet.IPSpecs(s.Adapter) {
			if m.store.GetVariable("/"+spec.Name) == nil {
				return fmt.Errorf("IP-Adapter %d is not loaded: weight %s is missing from the store", s.Adapter, spec.Name)
			}
		}
	}
	return nil
}

// signature identifies the graph structure an input set needs (shapes are
// handled by each executable's own cache).
func signature(in Inputs, capture []string) string {
	var b strings.Builder
	for _, s := range in.IP {
		fmt.Fprintf(&b, "ip%d:%v;", s.Adapter, slices.Sorted(maps.Keys(s.Masks)))
	}
	b.WriteString("maps:" + strings.Join(capture, ","))
	return b.String()
}

// exec returns (creating on first use) the executable for a signature.
func (m *Model) exec(key string, in Inputs, capture []string) (*nn.Exec, error) {
	return m.execs.Get(key, func() nn.BuildFn { return m.build(in, capture) })
}

// build is the graph of a signature: the layout of in's streams (not their
// values) and the attention maps to capture, as extra outputs after the
// prediction.
func (m *Model) build(in Inputs, capture []string) nn.BuildFn {
	type streamLayout struct {
		adapter int
		masks   []int
	}
	var layout []streamLayout
	for _, s := range in.IP {
		layout = append(layout, streamLayout{s.Adapter, slices.Sorted(maps.Keys(s.Masks))})
	}
	textTime := m.unet.addEmbed != nil
	u := m.unet
	return func(c nn.Ctx, args []*graph.Node) []*graph.Node {
		gi := GraphInputs{Sample: args[0], Timestep: args[1], EncoderHiddenStates: args[2]}
		next := 3
		if textTime {
			gi.TextEmbeds, gi.TimeIDs = args[3], args[4]
			next = 5
		}
		for _, l := range layout {
			st := IPStream{Adapter: l.adapter, Tokens: args[next], Scales: args[next+1]}
			next += 2
			if l.masks != nil {
				st.Masks = map[int]*graph.Node{}
				for _, q := range l.masks {
					st.Masks[q] = args[next]
					next++
				}
			}
			gi.IP = append(gi.IP, st)
		}
		var rec *nn.Recorder
		if len(capture) > 0 {
			rec = nn.NewRecorder(func(name string) bool { _, ok := slices.BinarySearch(capture, name); return ok })
			c = c.WithRecorder(rec)
		}
		outs := []*graph.Node{u.Apply(c, gi)}
		if rec != nil {
			recorded := map[string]*graph.Node{}
			for i, name := range rec.Names() {
				recorded[name] = rec.Nodes()[i]
			}
			for _, name := range capture { // in the requested (sorted) order
				if n, ok := recorded[name]; ok {
					outs = append(outs, n)
				}
			}
		}
		return outs
	}
}

// timestepsFloat32 converts the scheduler's timestep (scalar, [1] or [B];
// float or integer) to float32 [B] on the host, as diffusers' Timesteps
// does with .float(), so one compiled graph serves every step whatever
// the scheduler's dtype.
func timestepsFloat32(t *tensors.Tensor, b int) (*tensors.Tensor, error) {
	vals, ok, err := hostfloat.Float32s(t)
	if err != nil {
		return nil, fmt.Errorf("reading the timestep: %w", err)
	}
	if !ok {
		return nil, fmt.Errorf("timestep has dtype %s, want a float or int32/int64", t.DType())
	}
	if len(vals) == 1 && b > 1 {
		v := vals[0]
		vals = make([]float32, b)
		for i := range vals {
			vals[i] = v
		}
	}
	return tensors.FromFlatDataAndDimensions(vals, b), nil
}

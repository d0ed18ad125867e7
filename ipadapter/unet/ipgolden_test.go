package unet

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// renamed exposes tensors of a source under other names (new → old).
type renamed struct {
	weights.Source
	old map[string]string
}

func (r renamed) Info(name string) (weights.Info, bool) {
	info, ok := r.Source.Info(r.old[name])
	info.Name = name
	return info, ok
}

func (r renamed) Bytes(name string) ([]byte, error) { return r.Source.Bytes(r.old[name]) }

// loadIPWeights adds the to_k_ip/to_v_ip weights of an h94-format adapter
// file ("ip_adapter.<2i+1>.to_k_ip.weight" for attn2 layer i) as adapter
// index a. This is the renaming diffusers' load_ip_adapter does; the
// package that owns adapter loading is ipadapter/adapter.
func loadIPWeights(t *testing.T, m *Model, file string, a int) {
	t.Helper()
	src, err := weights.OpenSafetensors(file)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	old := map[string]string{}
	for i, layer := range m.UNet().CrossAttnLayers() {
		k, v := IPWeightNames(layer, a)
		old[k] = fmt.Sprintf("ip_adapter.%d.to_k_ip.weight", 2*i+1)
		old[v] = fmt.Sprintf("ip_adapter.%d.to_v_ip.weight", 2*i+1)
	}
	specs := m.UNet().IPSpecs(a)
	if _, err := nn.CheckSpecs(specs, renamed{src, old}); err != nil {
		t.Fatal(err)
	}
	if err := nn.AddToStore(m.Store(), specs, renamed{src, old}, m.Backend(), dtypes.InvalidDType); err != nil {
		t.Fatal(err)
	}
}

// projectedTokens finds the image_proj case made from the same adapter and
// the same image embeddings as input a of case c, and returns its output:
// the image tokens diffusers' projection produced, [B, T, D]. ok is false
// when the fixtures have no such case.
func projectedTokens(t *testing.T, c *golden.Case, adapterFile string, a int) (tok *tensors.Tensor, ok bool) {
	t.Helper()
	stem := strings.TrimSuffix(path.Base(adapterFile), path.Ext(adapterFile))
	var names []string
	if _, err := c.Param("image_embeds", &names); err != nil || len(names) <= a {
		return nil, false
	}
	want, _, err := c.Float32s(names[a])
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range golden.Load(t).Group("image_proj") {
		var files []string
		if _, err := p.Resource("adapters", &files); err != nil || len(files) != 1 {
			continue
		}
		if strings.TrimSuffix(path.Base(files[0]), path.Ext(files[0])) != stem {
			continue
		}
		x, _, err := p.Float32s("in.x")
		if err != nil || !slices.Equal(x, want) {
			continue
		}
		y, shape, err := p.Float32s("out.y")
		if err != nil {
			t.Fatal(err)
		}
		return tensors.FromFlatDataAndDimensions(y, shape...), true
	}
	return nil, false
}

// TestGoldenUNetIPAttention checks the decoupled cross-attention against
// diffusers on the unet cases with unmasked adapters: the image tokens come
// from the image_proj cases of the same adapter and embeddings, the
// to_k_ip/to_v_ip weights straight from the adapter files, and the scales
// from the case's effective per-layer scales (InstantStyle included). It
// does not replace the adapter package's end-to-end cases; it pins down
// the attention math, the layer order and the weight names.
func TestGoldenUNetIPAttention(t *testing.T) {
	golden.ForGroup(t, "unet", func(t *testing.T, c *golden.Case) {
		var adapters []string
		if _, err := c.Param("adapters", &adapters); err != nil {
			t.Fatal(err)
		}
		if len(adapters) == 0 {
			t.Skip("no adapter (TestGoldenUNet)")
		}
		if _, masked := c.Params["ip_adapter_masks"]; masked {
			t.Skip("masked: its image tokens need the Resampler on images no image_proj case covers (ipadapter/adapter)")
		}
		var scales map[string][]float64
		if _, err := c.Param("effective_ip_scales_per_processor", &scales); err != nil {
			t.Fatalf("effective scales: %v", err)
		}
		unetDir, err := c.Component("unet")
		if err != nil {
			t.Fatal(err)
		}
		b := testutil.Backend(t)
		m, err := Load(unetDir, b, DefaultOptions(b))
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		files, err := c.ResourcePaths("adapters")
		if err != nil {
			t.Fatal(err)
		}
		in := Inputs{
			Sample:              caseTensor(t, c, "in.latents"),
			Timestep:            caseTensor(t, c, "in.timestep"),
			EncoderHiddenStates: caseTensor(t, c, "in.ehs"),
			TextEmbeds:          caseTensor(t, c, "in.text_embeds"),
			TimeIDs:             caseTensor(t, c, "in.time_ids"),
		}
		layers := m.UNet().CrossAttnLayers()
		for a, file := range files {
			tokens, ok := projectedTokens(t, c, file, a)
			if !ok {
				t.Skipf("no image_proj case for adapter %d's embeddings", a)
			}
			loadIPWeights(t, m, file, a)
			rows := make([]float32, len(layers))
			for i, l := range layers {
				s, ok := scales[l+".processor"]
				if !ok || len(s) != len(files) {
					t.Fatalf("no effective scale for %s", l)
				}
				rows[i] = float32(s[a])
			}
			in.IP = append(in.IP, IPInput{Adapter: a, Tokens: tokens, Scales: tensors.FromFlatDataAndDimensions(rows, len(layers), 1)})
		}
		out, err := m.Predict(in)
		if err != nil {
			t.Fatal(err)
		}
		golden.AssertClose(t, c, "out.noise_pred", tensors.MustCopyFlatData[float32](out), out.Shape().Dimensions)
	})
}

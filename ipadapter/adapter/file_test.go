package adapter

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// tensorSpec is one tensor of a synthetic adapter file.
type tensorSpec struct {
	name  string
	shape []int
}

// writeAdapter writes a .safetensors file with random normal values for
// the given tensors and returns its path and the values.
func writeAdapter(t *testing.T, specs []tensorSpec) (string, map[string][]float32) {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	vals := map[string][]float32{}
	var named []weights.Named
	for _, s := range specs {
		v := testutil.Normal(rng, product(s.shape), 0.3)
		vals[s.name] = v
		named = append(named, testutil.Float32Named(s.name, s.shape, v))
	}
	path := filepath.Join(t.TempDir(), "adapter.safetensors")
	if err := weights.WriteSafetensors(path, named, nil); err != nil {
		t.Fatal(err)
	}
	return path, vals
}

// ipGroup is an ip_adapter group for layers of the given widths.
func ipGroup(hidden []int, cross int) []tensorSpec {
	var out []tensorSpec
	for i, h := range hidden {
		for _, p := range []string{toKIP, toVIP} {
			out = append(out, tensorSpec{"ip_adapter." + ipKey(keyID(i), p), []int{h, cross}})
		}
	}
	return out
}

// plainGroup is an ImageProjModel with n tokens of width d from p.
func plainGroup(p, n, d int) []tensorSpec {
	return []tensorSpec{
		{"image_proj.proj.weight", []int{n * d, p}}, {"image_proj.proj.bias", []int{n * d}},
		{"image_proj.norm.weight", []int{d}}, {"image_proj.norm.bias", []int{d}},
	}
}

// sd15Hidden are SD 1.5's 16 attn2 widths in attn_processors order.
var sd15Hidden = []int{320, 320, 640, 640, 1280, 1280, 1280, 1280, 1280, 1280, 640, 640, 640, 320, 320, 320}

func TestOpenRefusesWithTheReason(t *testing.T) {
	small := append(plainGroup(4, 4, 8), ipGroup([]int{16, 16}, 8)...)
	for _, tc := range []struct {
		name  string
		specs []tensorSpec
		want  []string
	}{
		{"not an adapter", []tensorSpec{{"model.weight", []int{2}}}, []string{"not an IP-Adapter weight file", "required keys are (`image_proj` and `ip_adapter`) missing"}},
		{"missing group", plainGroup(4, 4, 8), []string{"the ip_adapter group is missing"}},
		{"extra top-level key", append(slices.Clone(small), tensorSpec{"lora.down.weight", []int{2, 2}}), []string{"outside the image_proj and ip_adapter groups", "lora.down.weight"}},
		{"unknown image_proj key", append(slices.Clone(small), tensorSpec{"image_proj.scale", []int{1}}), []string{"image_proj has keys a plain image projection does not have: scale"}},
		{"unknown ip_adapter key", append(slices.Clone(small), tensorSpec{"ip_adapter.1.to_k_lora.down.weight", []int{2, 8}}), []string{"1.to_k_lora.down.weight", "FaceID"}},
		{"wrong ids", append(plainGroup(4, 4, 8), ipGroup([]int{16, 16, 16}, 8)[2:]...), []string{"key ids are [3 5], want 1, 3"}},
		{"faceid", append([]tensorSpec{{"image_proj.proj.0.weight", []int{8, 4}}, {"image_proj.proj.2.weight", []int{32, 8}}, {"image_proj.norm.weight", []int{8}}}, ipGroup([]int{16}, 8)...), []string{"FaceID file", "not supported", "plus-face"}},
		{"faceid plus", append([]tensorSpec{{"image_proj.perceiver_resampler.proj_in.weight", []int{8, 4}}}, ipGroup([]int{16}, 8)...), []string{"FaceID Plus", "not supported"}},
		{"tokens of another width", append(plainGroup(4, 4, 8), ipGroup([]int{16}, 6)...), []string{"8-wide tokens but to_k_ip/to_v_ip take 6-wide ones"}},
		{"bad norm", append(plainGroup(4, 3, 8)[:2], append([]tensorSpec{{"image_proj.norm.weight", []int{5}}, {"image_proj.norm.bias", []int{5}}}, ipGroup([]int{16}, 5)...)...), []string{"24 rows, not a multiple of the token width 5"}},
		{"resampler without latents", append(resamplerGroup(8, 48, 1, 4, 2), ipGroup([]int{16}, 8)...)[1:], []string{"not an IP-Adapter image projection diffusers knows"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, _ := writeAdapter(t, tc.specs)
			_, err := Open(path)
			wantError(t, err, tc.want...)
		})
	}
	path, _ := writeAdapter(t, append(resamplerGroup(8, 48, 2, 4, 2), ipGroup([]int{16}, 8)...))
	f := openFile(t, path)
	if p := f.Projection; p.Kind != Plus || p.Hidden != 48 || p.Heads != 2 || p.Depth != 2 || p.Tokens != 4 || p.FFMult != 2 || p.EmbedDim != 8 || p.CrossDim != 8 {
		t.Errorf("resampler config %+v", p)
	}
	bad := resamplerGroup(8, 48, 1, 4, 2)
	for i := range bad {
		if bad[i].name == "image_proj.layers.0.0.to_q.weight" {
			bad[i].shape = []int{100, 48}
		}
	}
	path, _ = writeAdapter(t, append(bad, ipGroup([]int{16}, 8)...))
	_, err := Open(path)
	wantError(t, err, "100 rows, not a multiple of 64")
}

// resamplerGroup is a Resampler with the given input width, latent width,
// depth, queries and feed-forward multiplier; 2 heads of 64 and output 8.
func resamplerGroup(embed, hidden, depth, queries, mult int) []tensorSpec {
	inner, out := 2*64, 8
	s := []tensorSpec{
		{"image_proj.latents", []int{1, queries, hidden}},
		{"image_proj.proj_in.weight", []int{hidden, embed}}, {"image_proj.proj_in.bias", []int{hidden}},
		{"image_proj.proj_out.weight", []int{out, hidden}}, {"image_proj.proj_out.bias", []int{out}},
		{"image_proj.norm_out.weight", []int{out}}, {"image_proj.norm_out.bias", []int{out}},
	}
	for i := range depth {
		p := fmt.Sprintf("image_proj.layers.%d.", i)
		s = append(s,
			tensorSpec{p + "0.norm1.weight", []int{hidden}}, tensorSpec{p + "0.norm1.bias", []int{hidden}},
			tensorSpec{p + "0.norm2.weight", []int{hidden}}, tensorSpec{p + "0.norm2.bias", []int{hidden}},
			tensorSpec{p + "0.to_q.weight", []int{inner, hidden}}, tensorSpec{p + "0.to_kv.weight", []int{2 * inner, hidden}},
			tensorSpec{p + "0.to_out.weight", []int{hidden, inner}},
			tensorSpec{p + "1.0.weight", []int{hidden}}, tensorSpec{p + "1.0.bias", []int{hidden}},
			tensorSpec{p + "1.1.weight", []int{mult * hidden, hidden}}, tensorSpec{p + "1.3.weight", []int{hidden, mult * hidden}})
	}
	return s
}

// TestPlainTokensFromShapes: diffusers hard-codes 4 tokens; the shapes
// decide here (a 2-token file works).
func TestPlainTokensFromShapes(t *testing.T) {
	path, _ := writeAdapter(t, append(plainGroup(4, 2, 8), ipGroup([]int{16}, 8)...))
	if f := openFile(t, path); f.Projection.Tokens != 2 || f.Projection.EmbedDim != 4 || f.Projection.CrossDim != 8 {
		t.Errorf("plain config %+v, want 2 tokens of 8 from 4", f.Projection)
	}
}

// TestSD15AdapterRefusedForSDXL: a file with 16 layers of width 768 is an
// SD 1.5 adapter; mapping it onto SDXL names both families.
func TestSD15AdapterRefusedForSDXL(t *testing.T) {
	var infos []weights.Info
	for _, s := range append(plainGroup(4, 4, 768), ipGroup(sd15Hidden, 768)...) {
		infos = append(infos, weights.Info{Name: s.name, DType: dtypes.Float16, Shape: s.shape})
	}
	f, err := FromSource("ip-adapter_sd15.safetensors", newShapeSource(infos)) // names and shapes decide
	if err != nil {
		t.Fatal(err)
	}
	u := sdxlUNet(t)
	_, err = f.UNetSource(u.CrossAttnLayerInfo(), 0)
	wantError(t, err, "ip-adapter_sd15.safetensors is an IP-Adapter for Stable Diffusion 1.5 (cross-attention width 768, 16 cross-attention layers)",
		"this UNet is Stable Diffusion XL (cross-attention width 2048, 70 cross-attention layers)", "sdxl_models")
	// Attaching it to a model leaves the model as it was.
	c := plainUNetCase(t)
	m := tinyModel(t, c)
	before := m.Store().NumVariables()
	_, err = Attach(m, f)
	wantError(t, err, "Stable Diffusion 1.5")
	if m.Store().NumVariables() != before {
		t.Error("a refused adapter changed the UNet's weights")
	}
}

// TestFullFaceProjection builds a small MLPProjModel file and checks the
// projection against the definition (Linear, exact GELU, Linear,
// LayerNorm per token), computed in float64.
func TestFullFaceProjection(t *testing.T) {
	const e, d, s = 6, 4, 3
	specs := []tensorSpec{
		{"image_proj.proj.0.weight", []int{e, e}}, {"image_proj.proj.0.bias", []int{e}},
		{"image_proj.proj.2.weight", []int{d, e}}, {"image_proj.proj.2.bias", []int{d}},
		{"image_proj.proj.3.weight", []int{d}}, {"image_proj.proj.3.bias", []int{d}},
	}
	path, w := writeAdapter(t, append(specs, ipGroup([]int{16}, d)...))
	f := openFile(t, path)
	if p := f.Projection; p.Kind != FullFace || p.EmbedDim != e || p.CrossDim != d {
		t.Fatalf("config %+v", p)
	}
	proj, err := NewProjector([]*File{f}, testutil.Backend(t), nn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	x := make([]float32, s*e)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	out, err := proj.Project(tensors.FromFlatDataAndDimensions(x, 1, 1, s, e))
	if err != nil {
		t.Fatal(err)
	}
	got := tensors.MustCopyFlatData[float32](out[0])
	if dims := out[0].Shape().Dimensions; !slices.Equal(dims, []int{1, 1, s, d}) {
		t.Fatalf("tokens %v", dims)
	}
	lin := func(in []float64, wt, b []float32, rows, cols int) []float64 {
		o := make([]float64, rows)
		for r := range rows {
			o[r] = float64(b[r])
			for c := range cols {
				o[r] += float64(wt[r*cols+c]) * in[c]
			}
		}
		return o
	}
	for tok := range s {
		in := make([]float64, e)
		for i := range in {
			in[i] = float64(x[tok*e+i])
		}
		h := lin(in, w["image_proj.proj.0.weight"], w["image_proj.proj.0.bias"], e, e)
		for i, v := range h {
			h[i] = 0.5 * v * (1 + math.Erf(v/math.Sqrt2))
		}
		y := lin(h, w["image_proj.proj.2.weight"], w["image_proj.proj.2.bias"], d, e)
		var mean, vr float64
		for _, v := range y {
			mean += v / d
		}
		for _, v := range y {
			vr += (v - mean) * (v - mean) / d
		}
		for i, v := range y {
			want := (v-mean)/math.Sqrt(vr+1e-5)*float64(w["image_proj.proj.3.weight"][i]) + float64(w["image_proj.proj.3.bias"][i])
			if g := float64(got[tok*d+i]); math.Abs(g-want) > 1e-5 {
				t.Errorf("token %d value %d: %g, want %g", tok, i, g, want)
			}
		}
	}
}

package ipadapter

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// switchRepo lays out an h94-like repository for switching adapters:
// sdxl_models/ holds a plain and a plus adapter, with the narrow encoder
// (projection_dim 16, which the plus adapter can read: it uses hidden
// states) as its image_encoder; models/image_encoder is the right one for
// the plain adapter, and models/broken_encoder has its config but weights
// that do not load.
func switchRepo(t *testing.T) (repo, plain, plus string) {
	t.Helper()
	dir, plain := adapterOfKind(t, adapter.Plain)
	plusDir, plus := adapterOfKind(t, adapter.Plus)
	repo = t.TempDir()
	linkInto(t, repo, filepath.Join(dir, plain), "sdxl_models/"+plain)
	linkInto(t, repo, filepath.Join(plusDir, plus), "sdxl_models/"+plus)
	linkInto(t, repo, wrongImageEncoder(t), "sdxl_models/image_encoder")
	linkInto(t, repo, filepath.Join(dir, "image_encoder"), "models/image_encoder")
	broken := filepath.Join(repo, "models", "broken_encoder")
	if err := os.MkdirAll(broken, 0o755); err != nil {
		t.Fatal(err)
	}
	linkInto(t, repo, filepath.Join(dir, "image_encoder", "config.json"), "models/broken_encoder/config.json")
	one := []weights.Named{{Name: "unrelated.weight", DType: dtypes.Float32, Shape: []int{1}, Data: make([]byte, 4)}}
	if err := weights.WriteSafetensors(filepath.Join(broken, "model.safetensors"), one, nil); err != nil {
		t.Fatal(err)
	}
	return repo, plain, plus
}

// plusRequest is the basic case's request, short, as latents.
func plusRequest(t *testing.T) Request {
	req := basicCall(t).req
	req.NumInferenceSteps, req.OutputType = 2, OutputLatents
	return req
}

// TestSwitchingAdaptersReplacesTheirEncoder: an encoder loaded with the
// previous adapters is replaced when new adapters need another one; a
// switch whose encoder fails to load leaves the previous adapter and
// encoder working, bitwise as before.
func TestSwitchingAdaptersReplacesTheirEncoder(t *testing.T) {
	call := basicCall(t)
	repo, plain, plus := switchRepo(t)
	p := ownPipeline(t, testOptions(t))
	// Drop the model's own encoder: the adapters bring theirs.
	if err := p.LoadIPAdapter(t.Context(), call.adapterDir, "", call.adapterNames...); err != nil {
		t.Fatal(err)
	}
	if err := p.UnloadIPAdapter(); err != nil {
		t.Fatal(err)
	}

	if err := p.LoadIPAdapter(t.Context(), repo, "sdxl_models", plus); err != nil {
		t.Fatal(err)
	}
	narrow := p.image
	if narrow == nil || narrow.Model.Config.ProjectionDim != 16 {
		t.Fatal("the plus adapter did not get sdxl_models/image_encoder")
	}
	req := plusRequest(t)
	before := latentsOf(t, p, req)

	failed := IPAdapterSource{Repo: repo, Subfolder: "sdxl_models", WeightNames: []string{plain}, ImageEncoderFolder: "models/broken_encoder"}
	if err := p.LoadIPAdapterFrom(t.Context(), failed); err == nil || !strings.Contains(err.Error(), "broken_encoder") {
		t.Fatalf("loading an adapter whose encoder does not load: error %v, want one naming the encoder", err)
	}
	if p.NumIPAdapters() != 1 || p.adapters.File(0).Name != plus || p.image != narrow {
		t.Fatal("a failed switch changed the adapters or the encoder")
	}
	if !slices.Equal(latentsOf(t, p, req), before) {
		t.Error("after a failed switch the previous adapter gives another result")
	}

	good := failed
	good.ImageEncoderFolder = "models/image_encoder"
	if err := p.LoadIPAdapterFrom(t.Context(), good); err != nil {
		t.Fatalf("switching to an adapter that needs another encoder: %v", err)
	}
	if p.image == narrow || p.image.Model.Config.ProjectionDim == 16 {
		t.Fatal("the previous adapter's encoder was kept")
	}
	if err := p.SetIPAdapterScale(call.scales...); err != nil {
		t.Fatal(err)
	}
	got, err := p.Generate(t.Context(), call.req)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.NP.Data, reference(t, call).res.NP.Data) {
		t.Error("after the switch the result differs from the plain pipeline's")
	}
	for _, m := range got.Metadata.Models {
		if m.Component == "image_encoder" && !strings.Contains(m.Source, "models/image_encoder") {
			t.Errorf("metadata: image encoder from %s", m.Source)
		}
	}
}

// TestUserChosenEncoderIsKept: an encoder given with Options.ImageEncoder
// is never replaced: adapters that cannot read it are refused, naming
// what they need, and the loaded adapter keeps working bitwise.
func TestUserChosenEncoderIsKept(t *testing.T) {
	repo, plain, plus := switchRepo(t)
	opts := testOptions(t)
	opts.ImageEncoder = ComponentRef{Repo: wrongImageEncoder(t)}
	p := ownPipeline(t, opts)
	if err := p.LoadIPAdapter(t.Context(), repo, "sdxl_models", plus); err != nil {
		t.Fatal(err)
	}
	chosen := p.image
	req := plusRequest(t)
	before := latentsOf(t, p, req)
	src := IPAdapterSource{Repo: repo, Subfolder: "sdxl_models", WeightNames: []string{plain}, ImageEncoderFolder: "models/image_encoder"}
	err := p.LoadIPAdapterFrom(t.Context(), src)
	if err == nil || !strings.Contains(err.Error(), "chosen with the pipeline") || !strings.Contains(err.Error(), "projection_dim 24") {
		t.Fatalf("error %v, want a refusal naming the encoder needed", err)
	}
	if p.image != chosen || p.NumIPAdapters() != 1 || p.adapters.File(0).Name != plus {
		t.Fatal("a refused load changed the encoder or the adapters")
	}
	if !slices.Equal(latentsOf(t, p, req), before) {
		t.Error("after a refused load the adapter gives another result")
	}
}

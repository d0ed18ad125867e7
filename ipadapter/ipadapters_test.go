package ipadapter

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// ownPipeline loads a pipeline of the tiny model for one test (for tests
// that change what the shared one has loaded).
func ownPipeline(t *testing.T, opts Options) *Pipeline {
	t.Helper()
	p, err := FromPretrained(t.Context(), goldenModelDir(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// reference runs call on the shared folder pipeline (decoded array).
func reference(t *testing.T, call goldenCall) *caseRun {
	t.Helper()
	return folderPipeline(t).run(t, call, OutputNP)
}

// TestReplacedComponents loads the image encoder from the adapters'
// repository (h94-style sdxl_models/image_encoder, a copy of the model's)
// and the VAE from a folder of its own, as diffusers' image_encoder= and
// vae= arguments do: the result is bitwise the plain pipeline's, and the
// metadata names where they came from.
func TestReplacedComponents(t *testing.T) {
	call := basicCall(t)
	opts := testOptions(t)
	opts.ImageEncoder = ComponentRef{Repo: filepath.Dir(call.adapterDir), Subfolder: filepath.Base(call.adapterDir) + "/image_encoder"}
	opts.VAE = ComponentRef{Repo: goldenModelDir(t), Subfolder: "vae"}
	p := ownPipeline(t, opts)
	sp := &sharedPipeline{p: p}
	got := sp.run(t, call, OutputNP)
	want := reference(t, call)
	if !slices.Equal(got.res.NP.Data, want.res.NP.Data) {
		t.Error("replaced components give another result")
	}
	var encoder string
	for _, m := range got.res.Metadata.Models {
		if m.Component == "image_encoder" {
			encoder = m.Source
		}
	}
	if !strings.Contains(encoder, "image_encoder") || !strings.Contains(encoder, filepath.Base(call.adapterDir)) {
		t.Errorf("metadata image_encoder source %q, want the adapters' folder", encoder)
	}
}

// TestUnloadAndReload: without adapters a run is bitwise a run at scale 0
// (which adds exact zeros); reference images are then an error; loading
// again takes the image encoder from the adapters' folder (the model's own
// was dropped with the adapters, as in diffusers) and gives the plain
// pipeline's result; a failed load keeps the adapters there were.
func TestUnloadAndReload(t *testing.T) {
	call := basicCall(t)
	p := ownPipeline(t, testOptions(t))
	sp := &sharedPipeline{p: p}
	sp.prepare(t, call)
	if err := p.UnloadIPAdapter(); err != nil {
		t.Fatal(err)
	}
	if p.NumIPAdapters() != 0 {
		t.Fatalf("%d adapters after unloading", p.NumIPAdapters())
	}
	if _, err := p.Generate(t.Context(), call.req); err == nil || !strings.Contains(err.Error(), "no IP-Adapter is loaded") {
		t.Errorf("reference images without adapters: error %v", err)
	}
	req := call.req
	req.IPAdapterImages = nil
	unloaded := latentsOf(t, p, req)

	zero := call
	zero.scales = []adapter.AdapterScale{adapter.Scale(0)}
	shared := folderPipeline(t)
	shared.prepare(t, zero)
	if !slices.Equal(unloaded, latentsOf(t, shared.p, zero.req)) {
		t.Error("no adapter and an adapter at scale 0 differ")
	}

	sp.loaded = ""
	sp.prepare(t, call)
	if got, want := sp.run(t, call, OutputNP), reference(t, call); !slices.Equal(got.res.NP.Data, want.res.NP.Data) {
		t.Error("after reloading, the result differs from the plain pipeline's")
	}
	if err := p.LoadIPAdapter(t.Context(), call.adapterDir, "", "no-such-adapter.safetensors"); err == nil {
		t.Fatal("loading a missing file succeeded")
	}
	if p.NumIPAdapters() != 1 {
		t.Errorf("%d adapters after a failed load, want the 1 loaded before", p.NumIPAdapters())
	}
	if _, err := p.Generate(t.Context(), call.req); err != nil {
		t.Errorf("the adapter loaded before no longer works: %v", err)
	}
}

// TestImageEncoderMismatch: an image encoder the adapter cannot read (here
// one whose image_embeds are 16 wide for an adapter made for 24, as
// h94's _vit-h adapters with the default ViT-bigG encoder) is refused at
// load time, naming what is needed, and nothing is loaded.
func TestImageEncoderMismatch(t *testing.T) {
	call := basicCall(t)
	opts := testOptions(t)
	opts.ImageEncoder = ComponentRef{Repo: wrongImageEncoder(t)}
	p := ownPipeline(t, opts)
	err := p.LoadIPAdapter(t.Context(), call.adapterDir, "", call.adapterNames...)
	if err == nil || !strings.Contains(err.Error(), "needs") || !strings.Contains(err.Error(), "projection_dim 24") {
		t.Fatalf("error %v, want one naming the encoder the adapter needs", err)
	}
	if p.NumIPAdapters() != 0 {
		t.Error("the adapter was loaded anyway")
	}
}

// TestAdapterRepoEncoderChoice mimics h94/IP-Adapter with a _vit-h
// adapter: the default encoder folder (subfolder/image_encoder) does not
// fit, which is an error before its weights are loaded; naming the right
// folder, relative to the repository root, works.
func TestAdapterRepoEncoderChoice(t *testing.T) {
	call := basicCall(t)
	repo := t.TempDir()
	link := func(target, name string) {
		t.Helper()
		p := filepath.Join(repo, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		abs, err := filepath.Abs(target)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(abs, p); err != nil {
			t.Skipf("no symlinks here: %v", err)
		}
	}
	link(filepath.Join(call.adapterDir, call.adapterNames[0]), "sdxl_models/"+call.adapterNames[0])
	link(wrongImageEncoder(t), "sdxl_models/image_encoder")
	link(filepath.Join(call.adapterDir, "image_encoder"), "models/image_encoder")

	p := ownPipeline(t, testOptions(t))
	sp := &sharedPipeline{p: p}
	sp.prepare(t, call)
	if err := p.UnloadIPAdapter(); err != nil { // drops the model's own encoder
		t.Fatal(err)
	}
	err := p.LoadIPAdapter(t.Context(), repo, "sdxl_models", call.adapterNames...)
	if err == nil || !strings.Contains(err.Error(), "does not fit") {
		t.Fatalf("default encoder folder: error %v", err)
	}
	if p.NumIPAdapters() != 0 || p.image != nil {
		t.Fatal("a refused load left an adapter or an encoder behind")
	}
	src := IPAdapterSource{Repo: repo, Subfolder: "sdxl_models", WeightNames: call.adapterNames, ImageEncoderFolder: "models/image_encoder"}
	if err := p.LoadIPAdapterFrom(t.Context(), src); err != nil {
		t.Fatal(err)
	}
	if err := p.SetIPAdapterScale(call.scales...); err != nil {
		t.Fatal(err)
	}
	got, err := p.Generate(t.Context(), call.req)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.NP.Data, reference(t, call).res.NP.Data) {
		t.Error("the adapter with the chosen encoder gives another result than the plain pipeline")
	}
}

// wrongImageEncoder writes an image encoder folder like the tiny model's
// but with projection_dim 16 (zero weights).
func wrongImageEncoder(t *testing.T) string {
	t.Helper()
	src := filepath.Join(goldenModelDir(t), "image_encoder", "config.json")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	cfg["projection_dim"] = 16
	if data, err = json.Marshal(cfg); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	vc, err := clip.ParseVisionConfig(data)
	if err != nil {
		t.Fatal(err)
	}
	m, err := clip.NewVisionModel(vc)
	if err != nil {
		t.Fatal(err)
	}
	var ts []weights.Named
	for _, s := range m.Specs() {
		ts = append(ts, weights.Named{Name: s.Name, DType: dtypes.Float32, Shape: s.Shape, Data: make([]byte, 4*s.NumElements())})
	}
	if err := weights.WriteSafetensors(filepath.Join(dir, "model.safetensors"), ts, nil); err != nil {
		t.Fatal(err)
	}
	return dir
}

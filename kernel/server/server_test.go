package server_test

import (
	"context"
	"errors"
	"image"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/kernel"
	"github.com/seed11f6bdef/gonb-ipadapter/kernel/server"
)

const (
	plainAdapter = "ip-adapter_tiny-sdxl.safetensors"
	plusAdapter  = "ip-adapter-plus_tiny-sdxl.safetensors"
	bearPrompt   = "a polar bear sitting in a chair drinking a milkshake"
	bearNegative = "deformed, ugly, wrong proportion, low res, bad anatomy, worst quality, low quality"
)

// direct runs the same generation through the library in this process.
func direct(t *testing.T, adapterFile string, scale adapter.AdapterScale, req ipadapter.Request) *ipadapter.Result {
	t.Helper()
	ctx := t.Context()
	dir := fixtures(t)
	pipe, err := ipadapter.FromPretrained(ctx, filepath.Join(dir, "tiny-sdxl"), ipadapter.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer pipe.Close()
	if err := pipe.LoadIPAdapter(ctx, filepath.Join(dir, "ip-adapter"), "sdxl_models", adapterFile); err != nil {
		t.Fatal(err)
	}
	if err := pipe.SetIPAdapterScale(scale); err != nil {
		t.Fatal(err)
	}
	res, err := pipe.Generate(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestGenerateMatchesLibrary: an image made through the backend is
// pixel for pixel the library's, and progress arrives for every step.
func TestGenerateMatchesLibrary(t *testing.T) {
	ts := start(t, server.Options{})
	c := ts.client(t)
	p := loadTiny(t, c, "tiny", plainAdapter)
	ref := loadImage(t, "image_a.png")
	var steps []int
	res, err := p.Generate(t.Context(), kernel.Request{
		Prompt: bearPrompt, NegativePrompt: bearNegative,
		IPAdapterImages: [][]image.Image{{ref}}, Scale: 0.6,
		Steps: 2, Seed: kernel.Seed(0), PreviewEvery: 1,
		Progress: func(pr kernel.Progress) {
			steps = append(steps, pr.Step)
			if pr.Total != 2 {
				t.Errorf("progress total %d, want 2", pr.Total)
			}
			if pr.Preview == nil {
				t.Errorf("step %d: no preview", pr.Step)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{0, 1, 2}; !equalInts(steps, want) {
		t.Errorf("progress steps %v, want %v", steps, want)
	}
	want := direct(t, plainAdapter, adapter.Scale(0.6), ipadapter.Request{
		Prompt: ipadapter.Text(bearPrompt), NegativePrompt: ipadapter.Text(bearNegative),
		IPAdapterImages: [][]image.Image{{ref}}, NumInferenceSteps: 2, Seed: ipadapter.Seed(0),
	})
	if len(res.Images) != 1 {
		t.Fatalf("%d images, want 1", len(res.Images))
	}
	samePixels(t, res.Images[0], want.Images[0])
	if res.Info.Seed == nil || *res.Info.Seed != 0 || res.Info.NumInferenceSteps != 2 {
		t.Errorf("metadata seed %v, steps %d", res.Info.Seed, res.Info.NumInferenceSteps)
	}
	if got := strings.TrimSpace(string(res.Info.IPAdapterScale)); got != "[0.6]" {
		t.Errorf("metadata scale %s, want [0.6]", got)
	}
}

// TestMasksMatchLibrary: masks go over the wire as images and are
// prepared by the backend as the library prepares them ("two girls").
func TestMasksMatchLibrary(t *testing.T) {
	ts := start(t, server.Options{})
	p := loadTiny(t, ts.client(t), "tiny", plusAdapter)
	girls := []image.Image{loadImage(t, "image_b.png"), loadImage(t, "image_d.png")}
	masks := []image.Image{loadImage(t, "mask_left_96x96.png"), loadImage(t, "mask_right_96x96.png")}
	res, err := p.Generate(t.Context(), kernel.Request{
		Prompt: "2 girls", NegativePrompt: "monochrome, lowres, bad anatomy, worst quality, low quality",
		IPAdapterImages: [][]image.Image{girls}, IPAdapterMasks: [][]image.Image{masks},
		Scale: [][]float64{{0.7, 0.7}}, Steps: 2, Height: 128, Width: 128, Seed: kernel.Seed(0),
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := ipadapter.PreprocessMasks(masks, 128, 128)
	if err != nil {
		t.Fatal(err)
	}
	want := direct(t, plusAdapter, adapter.PerImage{0.7, 0.7}, ipadapter.Request{
		Prompt: ipadapter.Text("2 girls"), NegativePrompt: ipadapter.Text("monochrome, lowres, bad anatomy, worst quality, low quality"),
		IPAdapterImages: [][]image.Image{girls}, IPAdapterMasks: []*adapter.Mask{m},
		NumInferenceSteps: 2, Height: 128, Width: 128, Seed: ipadapter.Seed(0),
	})
	samePixels(t, res.Images[0], want.Images[0])
}

// TestSecondClientSeesPipeline: a pipeline outlives the client (the cell)
// that loaded it, and loading it again reuses it.
func TestSecondClientSeesPipeline(t *testing.T) {
	ts := start(t, server.Options{})
	loadTiny(t, ts.client(t), "shared", plainAdapter)
	c2 := ts.client(t)
	st, err := c2.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Pipelines) != 1 || st.Pipelines[0].Name != "shared" || st.Pipelines[0].NumAdapters != 1 {
		t.Fatalf("status lists %+v, want the pipeline \"shared\" with one adapter", st.Pipelines)
	}
	if st.Backend.Name == "" || st.Memory.RSSBytes <= 0 {
		t.Errorf("status backend %+v, memory %+v", st.Backend, st.Memory)
	}
	_, info, err := c2.Load(t.Context(), kernel.LoadRequest{Name: "shared", Model: filepath.Join(fixtures(t), "tiny-sdxl")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Reused || info.NumAdapters != 1 {
		t.Errorf("second load: reused %v, %d adapters; want the loaded pipeline", info.Reused, info.NumAdapters)
	}
	info, err = c2.Pipeline("shared").LoadIPAdapter(t.Context(), kernel.AdapterRequest{
		Repo: filepath.Join(fixtures(t), "ip-adapter"), Subfolder: "sdxl_models", WeightNames: []string{plainAdapter},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Reused {
		t.Error("loading the same adapter again reloaded it")
	}
}

// TestErrorsPropagate: the library's messages reach the client unchanged.
func TestErrorsPropagate(t *testing.T) {
	ts := start(t, server.Options{})
	c := ts.client(t)
	ctx := t.Context()
	_, err := c.Pipeline("missing").Generate(ctx, kernel.Request{Prompt: "a cat"})
	var be *kernel.BackendError
	if !errors.As(err, &be) || be.Status != http.StatusNotFound || !strings.Contains(err.Error(), `no pipeline "missing"`) {
		t.Errorf("unknown pipeline: %v", err)
	}
	p := loadTiny(t, c, "tiny", "")
	_, err = p.Generate(ctx, kernel.Request{Prompt: "a cat", Steps: 1, IPAdapterImages: [][]image.Image{{loadImage(t, "image_a.png")}}})
	if err == nil || !strings.Contains(err.Error(), "no IP-Adapter is loaded") {
		t.Errorf("images without an adapter: %v", err)
	}
	if err := p.SetScale(ctx, 0.5); err == nil || !strings.Contains(err.Error(), "no IP-Adapter is loaded") {
		t.Errorf("scale without an adapter: %v", err)
	}
	_, err = p.Generate(ctx, kernel.Request{Prompt: "a cat", Steps: 1, Height: 100})
	if err == nil || !strings.Contains(err.Error(), "divisible by 8") {
		t.Errorf("height 100: %v", err)
	}
	if err := p.SetScheduler(ctx, "NoSuchScheduler", nil); err == nil {
		t.Error("unknown scheduler accepted")
	}
	if err := p.SetScheduler(ctx, "EulerDiscreteScheduler", map[string]any{"use_karras_sigmaz": true}); err == nil || !strings.Contains(err.Error(), "use_karras_sigmaz") {
		t.Errorf("misspelt scheduler option: %v", err)
	}
	_, _, err = c.Load(ctx, kernel.LoadRequest{Name: "bad", Model: filepath.Join(t.TempDir(), "nothing")}, nil)
	if err == nil {
		t.Error("loading a missing folder succeeded")
	}
}

// TestCancel: a cancelled client stops the generation, and the backend
// serves the next request.
func TestCancel(t *testing.T) {
	ts := start(t, server.Options{})
	p := loadTiny(t, ts.client(t), "tiny", "")
	ctx, cancel := context.WithCancel(t.Context())
	_, err := p.Generate(ctx, kernel.Request{Prompt: "a cat", Steps: 500, Progress: func(pr kernel.Progress) {
		if pr.Step == 1 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled generate: %v", err)
	}
	res, err := p.Generate(t.Context(), kernel.Request{Prompt: "a cat", Steps: 1})
	if err != nil || len(res.Images) != 1 {
		t.Fatalf("generate after a cancel: %v", err)
	}
}

// TestEmbeds: encoding once and passing the embeddings gives the image
// the reference images give.
func TestEmbeds(t *testing.T) {
	ts := start(t, server.Options{})
	p := loadTiny(t, ts.client(t), "tiny", plusAdapter)
	imgs := [][]image.Image{{loadImage(t, "image_c.png")}}
	emb, err := p.EncodeImages(t.Context(), imgs)
	if err != nil {
		t.Fatal(err)
	}
	if len(emb) != 1 || emb[0].Kind == "" || len(emb[0].Positive) == 0 {
		t.Fatalf("embeddings %+v", emb)
	}
	req := kernel.Request{Prompt: "a cat", Steps: 2, Seed: kernel.Seed(3), Scale: 0.8}
	req.IPAdapterImages = imgs
	fromImages, err := p.Generate(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	req.IPAdapterImages, req.IPAdapterImageEmbeds = nil, emb
	fromEmbeds, err := p.Generate(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	samePixels(t, fromEmbeds.Images[0], fromImages.Images[0])
}

// TestIdleShutdown: an unused backend exits by itself, and clients then
// get an error that says so.
func TestIdleShutdown(t *testing.T) {
	ts := start(t, server.Options{IdleTimeout: 300 * time.Millisecond})
	c := ts.client(t)
	select {
	case err := <-ts.done:
		ts.done <- err // for the cleanup
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the backend did not exit after its idle timeout")
	}
	_, err := c.Status(t.Context())
	var dead *kernel.DeadError
	if !errors.As(err, &dead) {
		t.Fatalf("status after exit: %v, want a DeadError", err)
	}
}

// TestBusyIsNotIdle: a long request keeps the backend alive past its
// idle timeout.
func TestBusyIsNotIdle(t *testing.T) {
	ts := start(t, server.Options{IdleTimeout: 300 * time.Millisecond})
	p := loadTiny(t, ts.client(t), "tiny", "")
	start := time.Now()
	if _, err := p.Generate(t.Context(), kernel.Request{Prompt: "a cat", Steps: 30}); err != nil {
		t.Fatalf("a generation longer than the idle timeout: %v", err)
	}
	if time.Since(start) < 2*300*time.Millisecond {
		t.Skip("the generation was too quick to outlast the idle timeout")
	}
	// Had the backend counted the generation as idle time, it would have
	// closed its listener meanwhile (letting the running request finish).
	if _, err := p.Info(t.Context()); err != nil {
		t.Fatalf("the backend stopped while busy: %v", err)
	}
}

// TestShutdownRequest: a client can stop the backend.
func TestShutdownRequest(t *testing.T) {
	ts := start(t, server.Options{})
	if err := ts.client(t).Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-ts.done:
		ts.done <- err
	case <-time.After(10 * time.Second):
		t.Fatal("the backend did not exit")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

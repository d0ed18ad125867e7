package ipadapter

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/vae"
)

// The pipeline golden tests run every "pipeline" case through the public
// API, on the tiny model loaded from its diffusers folder and again from
// its single-file checkpoint. One pipeline of each kind serves all cases,
// so each graph shape compiles once.

// testOptions runs on the test process's pure-Go backend in float32, the
// reference's dtype, whatever IPADAPTER_DTYPE says.
func testOptions(t *testing.T) Options {
	return Options{Backend: testutil.Backend(t), DType: dtypes.Float32}
}

// sharedPipeline is a pipeline used by several subtests, with the adapter
// set it has loaded.
type sharedPipeline struct {
	p       *Pipeline
	loaded  string
	loadErr error
}

// The test process's shared pipelines, loaded on first use and closed by
// TestMain.
var tiny struct {
	folder, single sharedPipeline
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, sp := range []*sharedPipeline{&tiny.folder, &tiny.single} {
		if sp.p != nil {
			sp.p.Close()
		}
	}
	os.Exit(code)
}

// folderPipeline is the tiny model loaded from its diffusers folder.
func folderPipeline(t *testing.T) *sharedPipeline {
	t.Helper()
	sp := &tiny.folder
	if sp.p == nil && sp.loadErr == nil {
		sp.p, sp.loadErr = FromPretrained(t.Context(), goldenModelDir(t), testOptions(t))
	}
	if sp.loadErr != nil {
		t.Fatal(sp.loadErr)
	}
	return sp
}

// singleFilePipeline is the tiny model loaded from its single-file (SGM)
// checkpoint, with the diffusers folder as config.
func singleFilePipeline(t *testing.T) *sharedPipeline {
	t.Helper()
	sp := &tiny.single
	if sp.p == nil && sp.loadErr == nil {
		cases := golden.Load(t).Group("single_file")
		if len(cases) == 0 {
			t.Fatal("the fixtures have no single_file case")
		}
		ckpt, err := cases[0].ResourcePath("single_file")
		if err != nil {
			t.Fatal(err)
		}
		config, err := cases[0].ResourcePath("model")
		if err != nil {
			t.Fatal(err)
		}
		opts := testOptions(t)
		opts.Config = config
		sp.p, sp.loadErr = FromSingleFile(t.Context(), ckpt, opts)
	}
	if sp.loadErr != nil {
		t.Fatal(sp.loadErr)
	}
	return sp
}

// goldenModelDir is the diffusers folder the pipeline cases use.
func goldenModelDir(t *testing.T) string {
	t.Helper()
	cases := golden.Load(t).Group("pipeline")
	if len(cases) == 0 {
		t.Skip("the fixtures have no pipeline case")
	}
	dir, err := cases[0].ResourcePath("model")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// prepare loads the case's adapters (unless already loaded) and sets its
// scales.
func (sp *sharedPipeline) prepare(t *testing.T, call goldenCall) {
	t.Helper()
	key := call.adapterDir + "|" + strings.Join(call.adapterNames, "|")
	if sp.loaded != key {
		if err := sp.p.LoadIPAdapter(t.Context(), call.adapterDir, "", call.adapterNames...); err != nil {
			t.Fatal(err)
		}
		sp.loaded = key
	}
	if err := sp.p.SetIPAdapterScale(call.scales...); err != nil {
		t.Fatal(err)
	}
}

// caseRun is what one generation gave: the result and every progress
// report (Step 0 holds the initial latents, the last one the final ones).
type caseRun struct {
	res      *Result
	progress []Progress
}

func (sp *sharedPipeline) run(t *testing.T, call goldenCall, output OutputType) *caseRun {
	t.Helper()
	sp.prepare(t, call)
	run := &caseRun{}
	req := call.req
	req.OutputType = output
	req.Progress = func(p Progress) { run.progress = append(run.progress, p) }
	var err error
	if run.res, err = sp.p.Generate(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	if len(run.progress) != req.NumInferenceSteps+1 {
		t.Fatalf("%d progress reports for %d steps", len(run.progress), req.NumInferenceSteps)
	}
	return run
}

func (r *caseRun) finalLatents() *Array { return r.progress[len(r.progress)-1].Latents }

// TestPipelineGolden runs every pipeline case on the diffusers folder
// (output_type "np", compared with the reference), then on the single-file
// checkpoint (output_type "pil"), whose weights are the same fp16 values:
// its latents must be bitwise those of the folder run and its images the
// 8-bit conversion of the folder run's array.
func TestPipelineGolden(t *testing.T) {
	folderRuns, calls := map[string]*caseRun{}, map[string]goldenCall{}
	golden.ForGroup(t, "pipeline", func(t *testing.T, c *golden.Case) {
		call := caseCall(t, c)
		run := folderPipeline(t).run(t, call, OutputNP)
		folderRuns[c.ID], calls[c.ID] = run, call
		checkReference(t, c, run)
		checkSameAsEarlierCase(t, c, call, calls, folderRuns)

		single := singleFilePipeline(t).run(t, call, OutputImages)
		if !slices.Equal(single.finalLatents().Data, run.finalLatents().Data) {
			t.Errorf("single file: final latents differ from the diffusers folder's")
		}
		checkImagesFromArray(t, single.res.Images, run.res.NP)
	})
}

// checkSameAsEarlierCase checks diffusers' equalities between cases:
// "Expected equal to <id>" in a case's notes means diffusers gave bitwise
// the earlier case's result. For precomputed embeddings that holds for
// embeddings made by the same encoder, so the earlier case's images are
// encoded here (EncodeIPAdapterImages, through diffusers' tensor layout)
// and the case's request is run with them: the result must be bitwise the
// earlier run's.
func checkSameAsEarlierCase(t *testing.T, c *golden.Case, call goldenCall, earlier map[string]goldenCall, runs map[string]*caseRun) {
	t.Helper()
	_, after, ok := strings.Cut(c.Notes, "Expected equal to ")
	if !ok {
		return
	}
	id := strings.Fields(after)[0]
	other, ok := earlier[id]
	if !ok {
		t.Fatalf("notes say %q, but that case did not run before", c.Notes)
	}
	sp := folderPipeline(t)
	sp.prepare(t, call)
	embeds, err := sp.p.EncodeIPAdapterImages(other.req.IPAdapterImages)
	if err != nil {
		t.Fatal(err)
	}
	call.req.IPAdapterImageEmbeds = nil
	for _, e := range embeds {
		tensor, err := e.Tensor() // diffusers' ip_adapter_image_embeds entry
		if err != nil {
			t.Fatal(err)
		}
		back, err := adapter.EmbedsFromTensor(tensor, true)
		if err != nil {
			t.Fatal(err)
		}
		call.req.IPAdapterImageEmbeds = append(call.req.IPAdapterImageEmbeds, back)
	}
	run := sp.run(t, call, OutputNP)
	if !slices.Equal(run.res.NP.Data, runs[id].res.NP.Data) || !slices.Equal(run.finalLatents().Data, runs[id].finalLatents().Data) {
		t.Errorf("with the embeddings of %s's images, the result differs from %s's, which diffusers gives bitwise", id, id)
	}
}

// checkImagesFromArray checks that images are exactly the 8-bit conversion
// (output_type "pil") of the decoded array np.
func checkImagesFromArray(t *testing.T, images []image.Image, np *Array) {
	t.Helper()
	b, h, w := np.Shape[0], np.Shape[1], np.Shape[2]
	if len(images) != b {
		t.Fatalf("%d images, want %d", len(images), b)
	}
	for k, img := range images {
		if img.Bounds().Dx() != w || img.Bounds().Dy() != h {
			t.Fatalf("image %d is %v, want %dx%d", k, img.Bounds(), w, h)
		}
		for y := range h {
			for x := range w {
				r, g, bl, a := img.At(x, y).RGBA()
				for ch, v := range []uint32{r >> 8, g >> 8, bl >> 8} {
					if want := vae.ToUint8(np.Data[((k*h+y)*w+x)*3+ch]); uint8(v) != want || a != 0xffff {
						t.Fatalf("image %d (%d, %d) channel %d = %d (alpha %d), want %d", k, x, y, ch, v, a>>8, want)
					}
				}
			}
		}
	}
}

// checkReference compares a run with the case's expected outputs.
func checkReference(t *testing.T, c *golden.Case, run *caseRun) {
	t.Helper()
	init, final := run.progress[0].Latents, run.finalLatents()
	golden.AssertClose(t, c, "out.latents_init", init.Data, init.Shape)
	golden.AssertClose(t, c, "out.latents_final", final.Data, final.Shape)
	golden.AssertClose(t, c, "out.image_np", run.res.NP.Data, run.res.NP.Shape)
	checkPerStep(t, c, run)
	checkUint8(t, c, run.res.NP)
	// diffusers warns when a mask's aspect ratio does not fit the image.
	if warned := slices.ContainsFunc(run.res.Warnings, func(w string) bool { return strings.Contains(w, "aspect ratio") }); warned != strings.Contains(c.Notes, "warning") {
		t.Errorf("warnings %q; the case's notes say %q", run.res.Warnings, c.Notes)
	}
}

// checkPerStep compares the per-step values the basic case stores, with
// the final latents' tolerance: they are intermediate values of the same
// computation.
func checkPerStep(t *testing.T, c *golden.Case, run *caseRun) {
	t.Helper()
	tol, _ := c.Tolerance("latents_final")
	for i, p := range run.progress[1:] {
		name := fmt.Sprintf("out.step%d.", i)
		if _, ok := c.Outputs[name+"unet_input"]; !ok {
			return
		}
		ts, _, err := c.Float32s(name + "timestep")
		if err != nil {
			t.Fatal(err)
		}
		if float64(ts[0]) != p.Timestep {
			t.Errorf("step %d: timestep %g, want %g", i, p.Timestep, ts[0])
		}
		golden.AssertCloseTol(t, c, name+"unet_input", p.UNetInput.Data, p.UNetInput.Shape, tol)
		golden.AssertCloseTol(t, c, name+"noise_pred_raw", p.NoisePred.Data, p.NoisePred.Shape, tol)
		golden.AssertCloseTol(t, c, name+"latents_after", p.Latents.Data, p.Latents.Shape, tol)
	}
}

// checkUint8 converts the decoded array to 8-bit as output_type="pil"
// does and compares it with the reference PNGs (cases/pipeline/
// <id>_img<k>.png): at most one level off on at least 99.9% of the values.
func checkUint8(t *testing.T, c *golden.Case, np *Array) {
	t.Helper()
	b, h, w := np.Shape[0], np.Shape[1], np.Shape[2]
	for k := range b {
		want := referencePNG(t, c, k)
		var n, within, worst int
		for y := range h {
			for x := range w {
				r, g, bl, _ := want.At(x, y).RGBA()
				for ch, ref := range []uint32{r >> 8, g >> 8, bl >> 8} {
					got := int(vae.ToUint8(np.Data[((k*h+y)*w+x)*3+ch]))
					d := max(got-int(ref), int(ref)-got)
					n++
					if d <= 1 {
						within++
					}
					worst = max(worst, d)
				}
			}
		}
		pct := 100 * float64(within) / float64(n)
		t.Logf("image %d: %.3f%% of 8-bit values within 1 level of the reference PNG (worst %d levels)", k, pct, worst)
		if pct < 99.9 {
			t.Errorf("image %d: only %.3f%% of 8-bit values within 1 level (want ≥ 99.9%%)", k, pct)
		}
	}
}

func referencePNG(t *testing.T, c *golden.Case, k int) image.Image {
	t.Helper()
	p, err := c.Path(fmt.Sprintf("%s_img%d.png", strings.TrimSuffix(c.File, ".safetensors"), k))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

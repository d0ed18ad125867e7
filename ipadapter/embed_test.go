package ipadapter

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
)

// sameEmbeds fails unless two encodings are bitwise equal.
func sameEmbeds(t *testing.T, what string, got, want []*adapter.ImageEmbeds) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d embeddings, want %d", what, len(got), len(want))
	}
	for a := range want {
		g, w := got[a], want[a]
		if g.Kind != w.Kind || g.Encoder != w.Encoder || !slices.Equal(g.Shape, w.Shape) ||
			!slices.Equal(g.Positive, w.Positive) || !slices.Equal(g.Negative, w.Negative) {
			t.Errorf("%s: adapter %d: %s %v from %s differs from the pipeline's %s %v from %s",
				what, a, g.Kind, g.Shape, g.Encoder, w.Kind, w.Shape, w.Encoder)
		}
	}
}

// TestEncodeImagesWithoutThePipeline: EncodeImagesWith gives bitwise the
// pipeline's embeddings (plain and plus adapters) wherever the pipeline
// takes its encoder and feature extractor from: the model folder's, the
// single-file config's, or, with neither, the adapters' folder's with
// diffusers' default preprocessing.
func TestEncodeImagesWithoutThePipeline(t *testing.T) {
	call := twoAdapterCall(t)
	images := call.req.IPAdapterImages
	sources := []IPAdapterSource{{Repo: call.adapterDir, WeightNames: call.adapterNames}}
	encode := func(t *testing.T, opts EmbedOptions) []*adapter.ImageEmbeds {
		t.Helper()
		opts.Options = testOptions(t)
		if opts.SingleFile {
			opts.Config = goldenModelDir(t)
		}
		e, err := EncodeImagesWith(t.Context(), opts, sources, images)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	pipelineEmbeds := func(t *testing.T, p *Pipeline) []*adapter.ImageEmbeds {
		t.Helper()
		if err := p.LoadIPAdapters(t.Context(), sources...); err != nil {
			t.Fatal(err)
		}
		e, err := p.EncodeIPAdapterImages(images)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}

	t.Run("model folder", func(t *testing.T) {
		sp := folderPipeline(t)
		sp.prepare(t, call)
		want, err := sp.p.EncodeIPAdapterImages(images)
		if err != nil {
			t.Fatal(err)
		}
		sameEmbeds(t, "EmbedOptions.Pipeline", encode(t, EmbedOptions{Pipeline: goldenModelDir(t)}), want)
	})
	t.Run("own feature extractor", func(t *testing.T) {
		dir := pipelineWithFeatureExtractor(t, `{"image_processor_type": "CLIPImageProcessor", "crop_size": {"height": 224, "width": 224}, "size": {"shortest_edge": 256}, "resample": 2}`)
		p := pipelineFrom(t, dir)
		want := pipelineEmbeds(t, p)
		got := encode(t, EmbedOptions{Pipeline: dir})
		sameEmbeds(t, "a pipeline's own feature extractor", got, want)
		plain := encode(t, EmbedOptions{Pipeline: goldenModelDir(t)})
		if slices.Equal(got[0].Positive, plain[0].Positive) {
			t.Error("another feature extractor gives the same embeddings: the test shows nothing")
		}
	})
	t.Run("single file", func(t *testing.T) {
		sp := singleFilePipeline(t)
		sp.prepare(t, call)
		want, err := sp.p.EncodeIPAdapterImages(images)
		if err != nil {
			t.Fatal(err)
		}
		sameEmbeds(t, "EmbedOptions.SingleFile", encode(t, EmbedOptions{SingleFile: true}), want)
	})
	t.Run("adapters folder", func(t *testing.T) {
		p := ownPipeline(t, testOptions(t))
		pipelineEmbeds(t, p)
		if err := p.UnloadIPAdapter(); err != nil { // drops the model's encoder and feature extractor
			t.Fatal(err)
		}
		sameEmbeds(t, "no pipeline", encode(t, EmbedOptions{}), pipelineEmbeds(t, p))
	})
}

// pipelineWithFeatureExtractor is the tiny model with another
// preprocessor_config.json (its other folders linked).
func pipelineWithFeatureExtractor(t *testing.T, config string) string {
	t.Helper()
	model := goldenModelDir(t)
	dir := t.TempDir()
	entries, err := os.ReadDir(model)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "feature_extractor" {
			linkInto(t, dir, filepath.Join(model, e.Name()), e.Name())
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "feature_extractor"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "feature_extractor", "preprocessor_config.json"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// pipelineFrom loads a pipeline from dir for one test.
func pipelineFrom(t *testing.T, dir string) *Pipeline {
	t.Helper()
	p, err := FromPretrained(t.Context(), dir, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

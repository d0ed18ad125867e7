package ipadapter

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
)

// TestSavePNGMetadata generates an image, saves it, and reads it back: the
// pixels are the result's, the metadata is the result's (with the image's
// index), the weight hashes are the files' sha256, and the scale reads
// back with adapter.ParseScales.
func TestSavePNGMetadata(t *testing.T) {
	sp := folderPipeline(t)
	call := basicCall(t)
	sp.prepare(t, call)
	req := call.req
	req.NumInferenceSteps, req.NumImagesPerPrompt, req.OutputType = 2, 2, OutputImages
	res, err := sp.p.Generate(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	paths, err := res.SavePNGs(dir, "bear")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 {
		t.Fatalf("%d files for 2 images", len(paths))
	}
	for i, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("image/png cannot decode the file with metadata: %v", err)
		}
		if !samePixels(img, res.Images[i]) {
			t.Errorf("%s: pixels differ from the result's", p)
		}
		meta, err := ReadMetadata(p)
		if err != nil {
			t.Fatal(err)
		}
		want := res.Metadata
		want.Index = i
		if !reflect.DeepEqual(jsonOf(t, meta), jsonOf(t, want)) {
			t.Errorf("%s: metadata read back differs:\n%s\nwant\n%s", p, jsonOf(t, meta), jsonOf(t, want))
		}
	}
	m := res.Metadata
	if m.Seed == nil || *m.Seed != *req.Seed || m.NumInferenceSteps != 2 || m.Height != 128 || m.Scheduler != "EulerDiscreteScheduler" || m.DType != "float32" {
		t.Errorf("metadata settings: %s", jsonOf(t, m))
	}
	scales, err := adapter.ParseScales(m.IPAdapterScale)
	if err != nil || len(scales) != 1 || scales[0].String() != call.scales[0].String() {
		t.Errorf("ip_adapter_scale %s reads back as %v (%v), want %v", m.IPAdapterScale, scales, err, call.scales)
	}
	if len(m.IPAdapterImages) != 1 || len(m.IPAdapterImages[0]) != 1 || m.IPAdapterImages[0][0] != imageSHA256(req.IPAdapterImages[0][0]) {
		t.Errorf("reference image hashes %v", m.IPAdapterImages)
	}
	checkModelHashes(t, m.Models, []string{"unet", "vae", "text_encoder", "text_encoder_2", "image_encoder", "ip_adapter.0"})
}

// checkModelHashes checks that the metadata names the components with the
// sha256 of each file (recomputed here).
func checkModelHashes(t *testing.T, models []ModelInfo, want []string) {
	t.Helper()
	got := map[string]ModelInfo{}
	for _, m := range models {
		got[m.Component] = m
	}
	for _, name := range want {
		m, ok := got[name]
		if !ok || len(m.Files) == 0 {
			t.Errorf("metadata has no files for %s (it has %v)", name, models)
			continue
		}
		for _, f := range m.Files {
			if f.SHA256 == "" || f.Size == 0 {
				t.Errorf("%s: %s has no hash or size", name, f.Name)
			}
		}
	}
	unet := got["unet"]
	path := filepath.Join(goldenModelDir(t), filepath.FromSlash(unet.Files[0].Name))
	h, err := hashFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if unet.Files[0].SHA256 != h || unet.Files[0].Name != "unet/diffusion_pytorch_model.safetensors" {
		t.Errorf("unet file %+v, want unet/diffusion_pytorch_model.safetensors with sha256 %s", unet.Files[0], h)
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				return false
			}
		}
	}
	return true
}

// TestPNGTextChunks: text chunks (UTF-8 included) survive a round trip,
// the PNG stays decodable, and a damaged chunk is detected by its CRC.
func TestPNGTextChunks(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 3, 2))
	img.Set(1, 1, color.NRGBA{R: 200, G: 10, B: 30, A: 255})
	texts := []TextChunk{{Keyword: "parameters", Text: "a cat — 猫, «chat»"}, {Keyword: "k2", Text: ""}}
	data, err := encodePNG(img, texts)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ReadPNGText(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, texts) {
		t.Errorf("read %q, want %q", back, texts)
	}
	dec, err := png.Decode(bytes.NewReader(data))
	if err != nil || !samePixels(dec, img) {
		t.Fatalf("decoded %v (%v)", dec, err)
	}
	bad := bytes.Clone(data)
	i := bytes.Index(bad, []byte("猫"))
	bad[i] ^= 1
	if _, err := ReadPNGText(bytes.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "CRC") {
		t.Errorf("damaged chunk: error %v", err)
	}
	for _, k := range []string{"", strings.Repeat("k", 80), "tab\tkey"} {
		if _, err := encodePNG(img, []TextChunk{{Keyword: k}}); err == nil {
			t.Errorf("keyword %q accepted", k)
		}
	}
}

// TestSaveIsAtomic: a save that cannot complete leaves neither the file
// nor a temporary one, and a save over an existing file replaces it whole.
func TestSaveIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.png")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(path, []byte("new contents")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new contents" {
		t.Errorf("file holds %q", b)
	}
	if err := writeFileAtomic(filepath.Join(dir, "missing", "x.png"), []byte("x")); err == nil {
		t.Error("saving into a missing folder succeeded")
	}
	// Renaming onto a folder fails after the data was written: the
	// temporary file must be gone.
	if err := os.Mkdir(filepath.Join(dir, "taken"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(filepath.Join(dir, "taken"), []byte("x")); err == nil {
		t.Error("saving over a folder succeeded")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// TestScalesJSON: every scale form is written so that adapter.ParseScales
// reads it back as the same scale.
func TestScalesJSON(t *testing.T) {
	for _, scales := range [][]adapter.AdapterScale{
		nil,
		{adapter.Scale(0.6)},
		adapter.PerAdapter(0.8, 0.35),
		{adapter.PerImage{0.7, 0.7}},
		{adapter.StyleAndLayout()},
		{adapter.Blocks{Down: adapter.AllBlocks(0.5), Mid: []float64{0.25}}},
	} {
		n := max(len(scales), 1)
		raw := scalesJSON(scales, n)
		back, err := adapter.ParseScales(raw)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		for i := range n {
			want := "1"
			if scales != nil {
				want = scales[i].String()
			}
			if back[i].String() != want {
				t.Errorf("%s entry %d reads back as %s, want %s", raw, i, back[i], want)
			}
		}
	}
}

package weights_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// WithPrefix exposes the tensors under a prefix with the prefix removed, as
// a model loader wants them: the IP-Adapter's image projection, the UNet of
// a single-file checkpoint.
func TestWithPrefix(t *testing.T) {
	src := mustOpen(t, filepath.Join(goldenDir(t), "ip-adapter", "sdxl_models", "ip-adapter_tiny-sdxl.bin"))
	for _, prefix := range []string{"image_proj", "image_proj."} {
		v := checkedPrefixView(t, src, prefix, "image_proj.")
		if _, ok := v.Info("proj.weight"); !ok {
			t.Errorf("prefix %q: no proj.weight in %v", prefix, weights.Names(v))
		}
	}
	single := mustOpen(t, filepath.Join(goldenDir(t), "single-file", "tiny-sdxl_sgm.fp16.safetensors"))
	unet := checkedPrefixView(t, single, "model.diffusion_model", "model.diffusion_model.")
	if _, ok := unet.Info("input_blocks.0.0.weight"); !ok {
		t.Errorf("no UNet conv_in in %d names", len(unet.Infos()))
	}
	// A prefix that is only a name's beginning matches nothing.
	if n := len(weights.WithPrefix(src, "image_pro").Infos()); n != 0 {
		t.Errorf("prefix image_pro matched %d tensors", n)
	}
	if _, ok := weights.WithPrefix(src, "image_proj").Info("ip_adapter.1.to_k_ip.weight"); ok {
		t.Error("the view shows a tensor outside its prefix")
	}
}

// checkedPrefixView makes a view and checks it against src tensor by tensor.
func checkedPrefixView(t *testing.T, src weights.Source, prefix, full string) weights.Source {
	t.Helper()
	v := weights.WithPrefix(src, prefix)
	want := 0
	for _, info := range src.Infos() {
		if strings.HasPrefix(info.Name, full) {
			want++
		}
	}
	if len(v.Infos()) != want || want == 0 {
		t.Fatalf("prefix %q: %d tensors, want %d", prefix, len(v.Infos()), want)
	}
	for _, info := range v.Infos() {
		orig, ok := src.Info(full + info.Name)
		if !ok || orig.DType != info.DType || len(orig.Shape) != len(info.Shape) {
			t.Fatalf("%s: %v vs %v", info.Name, info, orig)
		}
		a, err := v.Bytes(info.Name)
		if err != nil {
			t.Fatal(err)
		}
		b, err := src.Bytes(full + info.Name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatalf("%s: bytes differ", info.Name)
		}
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Bytes(full + v.Infos()[0].Name); err != nil {
		t.Fatalf("closing the view closed its source: %v", err)
	}
	return v
}

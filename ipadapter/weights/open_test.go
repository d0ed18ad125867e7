package weights_test

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// Every weight file of the fixture set opens through Open, and every tensor
// in it reads back with the byte size its dtype and shape imply.
func TestOpenEveryFixture(t *testing.T) {
	files := fixtureWeightFiles(t)
	var bins, sts int
	for _, p := range files {
		if strings.HasSuffix(p, ".bin") {
			bins++
		} else {
			sts++
		}
		src := mustOpen(t, p)
		infos := src.Infos()
		if len(infos) == 0 {
			t.Errorf("%s: no tensors", p)
		}
		for _, info := range infos {
			b, err := src.Bytes(info.Name)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if int64(len(b)) != info.ByteSize() {
				t.Errorf("%s: %v has %d bytes, want %d", p, info, len(b), info.ByteSize())
			}
		}
	}
	if bins < 2 || sts < 8 {
		t.Errorf("found %d .bin and %d .safetensors fixtures, expected at least 2 and 8", bins, sts)
	}
}

// The .bin and .safetensors IP-Adapter twins hold the same tensors: the
// nested {"image_proj": {...}, "ip_adapter": {...}} of the .bin flattens to
// the .safetensors names, and fp16 data stays fp16, bit for bit.
func TestTorchTwinsMatchSafetensors(t *testing.T) {
	for _, base := range adapterTwins(t) {
		t.Run(filepath.Base(base), func(t *testing.T) {
			bin := mustOpen(t, base+".bin")
			st := mustOpen(t, base+".safetensors")
			if _, ok := bin.Info("ip_adapter.1.to_k_ip.weight"); !ok {
				t.Fatalf("no ip_adapter.1.to_k_ip.weight in %v", weights.Names(bin))
			}
			requireSameTensors(t, bin, st)
		})
	}
}

// OpenTorch and OpenSafetensors refuse each other's files with a clear
// error rather than misreading them; Open picks the right one.
func TestOpenPicksReaderFromContent(t *testing.T) {
	base := adapterTwins(t)[0]
	dir := t.TempDir()
	// Names that lie about the content: Open must not care.
	renamed := filepath.Join(dir, "weights.safetensors")
	data, err := os.ReadFile(base + ".bin")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(renamed, data, 0o644); err != nil {
		t.Fatal(err)
	}
	src := mustOpen(t, renamed)
	st := mustOpen(t, base+".safetensors")
	requireSameTensors(t, src, st)

	if _, err := weights.OpenTorch(base + ".safetensors"); err == nil {
		t.Error("OpenTorch read a safetensors file")
	}
	if _, err := weights.OpenSafetensors(base + ".bin"); err == nil {
		t.Error("OpenSafetensors read a torch file")
	}
}

// A safetensors header whose length's low byte is '{' is not mistaken for
// a JSON index.
func TestOpenSafetensorsLengthLooksLikeJSON(t *testing.T) {
	header := []byte(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`)
	for len(header)%256 != '{' {
		header = append(header, ' ')
	}
	data := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	data = append(append(data, header...), f32Bytes(1.5)...)
	if data[0] != '{' {
		t.Fatalf("first byte %q", data[0])
	}
	src := mustOpen(t, writeTemp(t, "x.safetensors", data))
	if got := float32sOf(t, src, "x"); len(got) != 1 || got[0] != 1.5 {
		t.Errorf("x = %v", got)
	}
}

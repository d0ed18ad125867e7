package weights_test

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/dtypes/bfloat16"
	"github.com/gomlx/compute/dtypes/float16"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// WriteSafetensors then OpenSafetensors gives back every dtype the
// pipeline stores (F32, F16, BF16, I64), 0-d tensors, an empty tensor and
// the metadata, byte for byte; Open picks the same reader.
func TestSafetensorsRoundTrip(t *testing.T) {
	var f16, bf16, i64 []byte
	for i := range 6 {
		f16 = binary.LittleEndian.AppendUint16(f16, float16.FromFloat32(float32(i)-2.5).Bits())
		bf16 = binary.LittleEndian.AppendUint16(bf16, bfloat16.FromFloat32(float32(i)*1e20).Bits())
		i64 = binary.LittleEndian.AppendUint64(i64, uint64(int64(i)-3))
	}
	ts := []weights.Named{
		{Name: "f32", DType: dtypes.Float32, Shape: []int{2, 3}, Data: f32Bytes(1, -2, 3.5, 1e-30, 7, 0)},
		{Name: "f16", DType: dtypes.Float16, Shape: []int{3, 2}, Data: f16},
		{Name: "bf16", DType: dtypes.BFloat16, Shape: []int{6}, Data: bf16},
		{Name: "i64", DType: dtypes.Int64, Shape: []int{1, 6}, Data: i64},
		{Name: "scalar_f32", DType: dtypes.Float32, Shape: nil, Data: f32Bytes(999)},
		{Name: "scalar_i64", DType: dtypes.Int64, Shape: []int{}, Data: binary.LittleEndian.AppendUint64(nil, 42)},
		{Name: "empty", DType: dtypes.Float16, Shape: []int{0, 4}, Data: []byte{}},
	}
	meta := map[string]string{"format": "pt", "note": "round trip"}
	path := filepath.Join(t.TempDir(), "rt.safetensors")
	if err := weights.WriteSafetensors(path, ts, meta); err != nil {
		t.Fatal(err)
	}
	for name, open := range map[string]func(string) (weights.Source, error){"OpenSafetensors": weights.OpenSafetensors, "Open": weights.Open} {
		t.Run(name, func(t *testing.T) {
			src, err := open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			if len(src.Infos()) != len(ts) {
				t.Fatalf("%d tensors, want %d", len(src.Infos()), len(ts))
			}
			for _, want := range ts {
				info, ok := src.Info(want.Name)
				if !ok || info.DType != want.DType || !slices.Equal(info.Shape, want.Shape) || (info.Shape == nil) {
					t.Errorf("%s: got %v (found %v), want %s%v", want.Name, info, ok, want.DType, want.Shape)
				}
				got, err := src.Bytes(want.Name)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want.Data) {
					t.Errorf("%s: bytes %v, want %v", want.Name, got, want.Data)
				}
			}
			if m := src.Metadata(); m["format"] != "pt" || m["note"] != "round trip" || len(m) != 2 {
				t.Errorf("metadata %v", m)
			}
			scalar, err := weights.Tensor(src, "scalar_f32", nil, dtypes.InvalidDType)
			if err != nil {
				t.Fatal(err)
			}
			if scalar.Rank() != 0 || scalar.Value().(float32) != 999 {
				t.Errorf("0-d tensor reads as %v", scalar)
			}
		})
	}
}

func TestWriteSafetensorsIsReadableByOthers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.safetensors")
	if err := weights.WriteSafetensors(path, []weights.Named{{Name: "a", DType: dtypes.Float32, Shape: []int{1}, Data: make([]byte, 4)}}, nil); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
}

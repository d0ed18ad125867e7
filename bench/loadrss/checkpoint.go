package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/atomicfile"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/hub"
)

// manifestFile is the part of a fixture manifest used here.
type manifestFile struct {
	Config  map[string]any `json:"config"`
	Tensors []struct {
		Name  string `json:"name"`
		Shape []int  `json:"shape"`
	} `json:"tensors"`
}

// ensureCheckpoint writes dir/unet/{config.json,
// diffusion_pytorch_model.fp16.safetensors} from the manifest unless a
// complete checkpoint is already there. It returns the weights' path, the
// number of tensors, and whether it wrote them.
func ensureCheckpoint(dir, manifestPath string) (string, int, bool, error) {
	data, err := os.ReadFile(manifestPath)
	if err != nil {
		return "", 0, false, fmt.Errorf("reading the manifest (run from the repository root or pass -manifest): %w", err)
	}
	var m manifestFile
	if err := json.Unmarshal(data, &m); err != nil {
		return "", 0, false, fmt.Errorf("%s: %w", manifestPath, err)
	}
	unetDir := filepath.Join(dir, "unet")
	path := filepath.Join(unetDir, "diffusion_pytorch_model.fp16.safetensors")
	header, size, err := safetensorsHeader(m)
	if err != nil {
		return "", 0, false, err
	}
	if st, err := os.Stat(path); err == nil && st.Size() == size {
		return path, len(m.Tensors), false, nil
	}
	if err := os.MkdirAll(unetDir, 0o755); err != nil {
		return "", 0, false, err
	}
	m.Config["_class_name"] = "UNet2DConditionModel"
	cfg, err := json.MarshalIndent(m.Config, "", "  ")
	if err != nil {
		return "", 0, false, err
	}
	if err := os.WriteFile(filepath.Join(unetDir, "config.json"), cfg, 0o644); err != nil {
		return "", 0, false, err
	}
	if err := writeWeights(path, header, size); err != nil {
		return "", 0, false, err
	}
	return path, len(m.Tensors), true, nil
}

// safetensorsHeader lays the tensors out back to back in F16 and returns
// the file's header (length prefix included) and total size.
func safetensorsHeader(m manifestFile) ([]byte, int64, error) {
	entries := map[string]any{"__metadata__": map[string]string{"format": "pt", "note": "synthetic weights for bench/loadrss"}}
	var off int64
	for _, t := range m.Tensors {
		n := int64(2)
		for _, d := range t.Shape {
			n *= int64(d)
		}
		entries[t.Name] = map[string]any{"dtype": "F16", "shape": t.Shape, "data_offsets": []int64{off, off + n}}
		off += n
	}
	js, err := json.Marshal(entries)
	if err != nil {
		return nil, 0, err
	}
	for len(js)%8 != 0 { // the format pads the header with spaces to 8 bytes
		js = append(js, ' ')
	}
	header := binary.LittleEndian.AppendUint64(nil, uint64(len(js)))
	header = append(header, js...)
	return header, int64(len(header)) + off, nil
}

// writeWeights streams the header and size−len(header) bytes of small
// half-precision values (±1/1024 … ±1/4, from a xorshift sequence) to path
// (atomically: a temporary file renamed into place when complete).
func writeWeights(path string, header []byte, size int64) error {
	return atomicfile.Write(path, func(f io.Writer) error {
		w := bufio.NewWriterSize(f, 1<<20)
		if _, err := w.Write(header); err != nil {
			return err
		}
		state := uint32(2463534242)
		var half [2]byte
		for i := int64(len(header)); i < size; i += 2 {
			state ^= state << 13
			state ^= state >> 17
			state ^= state << 5
			// Sign bit, exponent 5..13 (2^-10 … 2^-2), random mantissa.
			bits := uint16(state>>31)<<15 | uint16(5+state%9)<<10 | uint16(state>>8)&0x3ff
			binary.LittleEndian.PutUint16(half[:], bits)
			if _, err := w.Write(half[:]); err != nil {
				return err
			}
		}
		return w.Flush()
	})
}

// hubOffline keeps the load from ever asking the network (the checkpoint
// is a local folder anyway).
func hubOffline() hub.Options { return hub.Options{Offline: true} }

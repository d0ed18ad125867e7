package weights_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// Damaged and malicious files, built from the valid fixtures: each must give
// its own specific error (naming the file, and the tensor when one is
// concerned), never a panic, never a Source.

type brokenCase struct {
	name   string
	build  func(t *testing.T, dir string) string // writes the file(s), returns the path to open
	want   string                                // distinguishing part of the message
	kind   error                                 // sentinel it must match
	tensor string                                // tensor the message must name, if any
}

// stFixture is the plain IP-Adapter .safetensors fixture.
func stFixture(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(goldenDir(t), "ip-adapter", "sdxl_models", "ip-adapter_tiny-sdxl.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// patchHeader rewrites the JSON header of a safetensors file, keeping the data.
func patchHeader(t *testing.T, data []byte, edit func(h map[string]map[string]any)) []byte {
	t.Helper()
	n := binary.LittleEndian.Uint64(data)
	var h map[string]map[string]any
	if err := json.Unmarshal(data[8:8+n], &h); err != nil {
		t.Fatal(err)
	}
	edit(h)
	header, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	out = append(out, header...)
	return append(out, data[8+n:]...)
}

func withBytes(name string, f func(t *testing.T) []byte) func(*testing.T, string) string {
	return func(t *testing.T, dir string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, f(t), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
}

// adapterCkpt is the plain IP-Adapter as a torch checkpoint to damage.
func adapterCkpt(t *testing.T) testCkpt {
	st, err := weights.ParseSafetensors(stFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	return ckptFromSource(t, st, true)
}

// pickleZip is a zip checkpoint whose data.pkl is pkl.
func pickleZip(pkl []byte) func(t *testing.T) []byte {
	return func(t *testing.T) []byte { return buildZip(t, "archive", pkl, nil) }
}

const (
	kTo   = "ip_adapter.1.to_k_ip.weight"
	vTo   = "ip_adapter.1.to_v_ip.weight"
	projW = "image_proj.proj.weight"
)

func brokenCases(pwned string) []brokenCase {
	return []brokenCase{
		{name: "safetensors truncated", want: "the file is truncated", kind: weights.ErrTruncated,
			build: withBytes("a.safetensors", func(t *testing.T) []byte { d := stFixture(t); return d[:len(d)-100] })},
		{name: "header length larger than the file", want: "larger than the file", kind: weights.ErrTruncated,
			build: withBytes("a.safetensors", func(t *testing.T) []byte {
				d := bytes.Clone(stFixture(t))
				binary.LittleEndian.PutUint64(d, uint64(len(d)))
				return d
			})},
		{name: "header length absurd", want: "100 MB limit", kind: weights.ErrCorrupt,
			build: withBytes("a.safetensors", func(t *testing.T) []byte {
				d := bytes.Clone(stFixture(t))
				binary.LittleEndian.PutUint64(d, 1<<39)
				return d
			})},
		{name: "malformed JSON header", want: "malformed JSON header", kind: weights.ErrCorrupt,
			build: withBytes("a.safetensors", func(t *testing.T) []byte {
				d := bytes.Clone(stFixture(t))
				d[9] = '!' // the first key's opening quote
				return d
			})},
		{name: "offsets past the data", want: "go past the end of the data", kind: weights.ErrTruncated, tensor: projW,
			build: withBytes("a.safetensors", func(t *testing.T) []byte {
				return patchHeader(t, stFixture(t), func(h map[string]map[string]any) {
					off := h[projW]["data_offsets"].([]any)
					h[projW]["data_offsets"] = []any{off[0].(float64) + 1e6, off[1].(float64) + 1e6}
				})
			})},
		{name: "offsets inverted", want: "invalid data_offsets", kind: weights.ErrCorrupt, tensor: projW,
			build: withBytes("a.safetensors", func(t *testing.T) []byte {
				return patchHeader(t, stFixture(t), func(h map[string]map[string]any) {
					off := h[projW]["data_offsets"].([]any)
					h[projW]["data_offsets"] = []any{off[1], off[0]}
				})
			})},
		{name: "overlapping tensors", want: "overlap", kind: weights.ErrCorrupt, tensor: vTo,
			build: withBytes("a.safetensors", func(t *testing.T) []byte {
				return patchHeader(t, stFixture(t), func(h map[string]map[string]any) {
					h[vTo]["data_offsets"] = h[kTo]["data_offsets"]
				})
			})},
		{name: "dtype and shape disagree with the byte count", want: "needs", kind: weights.ErrCorrupt, tensor: projW,
			build: withBytes("a.safetensors", func(t *testing.T) []byte {
				return patchHeader(t, stFixture(t), func(h map[string]map[string]any) { h[projW]["dtype"] = "F32" })
			})},
		{name: "shape whose byte size overflows", want: "is too large", kind: weights.ErrCorrupt, tensor: projW,
			build: withBytes("a.safetensors", func(t *testing.T) []byte {
				return patchHeader(t, stFixture(t), func(h map[string]map[string]any) {
					h[projW]["dtype"] = "F64"
					h[projW]["shape"] = []any{1 << 31, 1 << 31}
					h[projW]["data_offsets"] = []any{0, 0}
				})
			})},
		{name: "unknown dtype", want: `unsupported dtype "Q4"`, kind: weights.ErrUnsupported, tensor: projW,
			build: withBytes("a.safetensors", func(t *testing.T) []byte {
				return patchHeader(t, stFixture(t), func(h map[string]map[string]any) { h[projW]["dtype"] = "Q4" })
			})},
		{name: "Git LFS pointer", want: "Git LFS pointer", kind: weights.ErrLFSPointer,
			build: withBytes("a.safetensors", func(t *testing.T) []byte {
				return []byte("version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n")
			})},
		{name: "Git LFS pointer named .bin", want: "git lfs pull", kind: weights.ErrLFSPointer,
			build: withBytes("a.bin", func(t *testing.T) []byte {
				return []byte("version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 1\n")
			})},
		{name: "empty file", want: "empty", kind: weights.ErrTruncated,
			build: withBytes("a.safetensors", func(t *testing.T) []byte { return nil })},
		{name: "HTML error page", want: "HTML page", kind: weights.ErrUnknownFormat,
			build: withBytes("a.safetensors", func(t *testing.T) []byte {
				return []byte("<!DOCTYPE html><html><body>Access to model is restricted</body></html>")
			})},
		{name: "unknown format", want: "unknown weights file format", kind: weights.ErrUnknownFormat,
			build: withBytes("a.safetensors", func(t *testing.T) []byte {
				return bytes.Repeat([]byte("GGUF\xff\xff\xff\xff"), 8)
			})},
		{name: "zip truncated", want: "zip archive is truncated or damaged", kind: weights.ErrTruncated,
			build: withBytes("a.bin", func(t *testing.T) []byte { d := adapterCkpt(t).zipBytes(t); return d[:len(d)/2] })},
		{name: "zip missing a storage entry", want: "archive/data/3 is missing from the zip archive", kind: weights.ErrCorrupt, tensor: projW,
			build: withBytes("a.bin", func(t *testing.T) []byte {
				c := adapterCkpt(t)
				pkl := c.pickle(false)
				delete(c.storages, "3")
				return buildZip(t, "archive", pkl, c.storages)
			})},
		{name: "zip storage shorter than the tensor", want: "shorter than the tensor needs", kind: weights.ErrCorrupt, tensor: projW,
			build: withBytes("a.bin", func(t *testing.T) []byte {
				c := adapterCkpt(t)
				pkl := c.pickle(false)
				s := c.storages["3"]
				s.data = s.data[:len(s.data)-2]
				c.storages["3"] = s
				return buildZip(t, "archive", pkl, c.storages)
			})},
		{name: "view reads past its storage", want: "shorter than the tensor needs", kind: weights.ErrCorrupt, tensor: "w",
			build: withBytes("a.bin", func(t *testing.T) []byte {
				c := testCkpt{storages: map[string]testStorage{"0": {class: "FloatStorage", data: f32Bytes(iota32(6)...)}},
					root: pyDict{{"w", tensorRef{key: "0", size: []int{3, 3}, stride: []int{1, 3}}}}}
				return c.zipBytes(t)
			})},
		{name: "legacy truncated", want: "truncated", kind: weights.ErrTruncated, tensor: "ip_adapter.",
			build: withBytes("a.bin", func(t *testing.T) []byte { d := adapterCkpt(t).legacyBytes(); return d[:len(d)-10] })},
		{name: "legacy storage count mismatch", want: "records 5 elements but the pickle declares 6", kind: weights.ErrCorrupt, tensor: "w",
			build: withBytes("a.bin", func(t *testing.T) []byte {
				c := testCkpt{storages: map[string]testStorage{"0": {class: "FloatStorage", data: f32Bytes(iota32(6)...)}},
					root: pyDict{{"w", tensorRef{key: "0", size: []int{6}}}}}
				d := c.legacyBytes()
				binary.LittleEndian.PutUint64(d[len(d)-24-8:], 5)
				return d
			})},
		{name: "pickle calls os.system", want: "os.system", kind: weights.ErrUnsafePickle,
			build: withBytes("a.bin", pickleZip(encodePickle(pyDict{{"w", pyReduce{pyGlobal{"os", "system"}, pyTuple{"touch " + pwned}}}}, false)))},
		{name: "pickle calls builtins.eval", want: "builtins.eval", kind: weights.ErrUnsafePickle,
			build: withBytes("a.bin", pickleZip(encodePickle(pyReduce{pyGlobal{"builtins", "eval"}, pyTuple{"__import__('os').system('touch " + pwned + "')"}}, false)))},
		{name: "legacy pickle calls __builtin__.exec", want: "__builtin__.exec", kind: weights.ErrUnsafePickle,
			build: withBytes("a.bin", func(t *testing.T) []byte {
				return append(legacyHeader(false), encodePickle(pyReduce{pyGlobal{"__builtin__", "exec"}, pyTuple{"x"}}, false)...)
			})},
		{name: "__reduce__ of an arbitrary class", want: "__main__.Exploit", kind: weights.ErrUnsafePickle,
			build: withBytes("a.bin", pickleZip(encodePickle(pyDict{{"state", pyDict{{"x", pyReduce{pyGlobal{"__main__", "Exploit"}, pyTuple{}}}}}}, false)))},
		{name: "STACK_GLOBAL posix.system", want: "posix.system", kind: weights.ErrUnsafePickle,
			build: withBytes("a.bin", pickleZip(encodePickle(pyReduce{pyGlobal{"posix", "system"}, pyTuple{"touch " + pwned}}, true)))},
		{name: "STACK_GLOBAL from __builtin__", want: "__builtin__", kind: weights.ErrUnsafePickle,
			build: withBytes("a.bin", pickleZip(encodePickle(pyReduce{pyGlobal{"__builtin__", "getattr"}, pyTuple{}}, true)))},
		{name: "INST opcode", want: "INST", kind: weights.ErrUnsafePickle,
			build: withBytes("a.bin", pickleZip([]byte("\x80\x02(X\x04\x00\x00\x00echoios\nsystem\n.")))},
		{name: "corrupted pickle stream", want: "corrupted pickle stream: unknown opcode 0xff", kind: weights.ErrCorrupt,
			build: withBytes("a.bin", func(t *testing.T) []byte {
				pkl := adapterCkpt(t).pickle(false)
				pkl[2] = 0xff // the first opcode after PROTO
				return buildZip(t, "archive", pkl, adapterCkpt(t).storages)
			})},
		{name: "pickle that panics the unpickler", want: "corrupted pickle stream", kind: weights.ErrCorrupt,
			build: withBytes("a.bin", pickleZip([]byte("\x80\x02}(K\x01u.")))},
		{name: "pickle cut short", want: "pickle stream ends", kind: weights.ErrTruncated,
			build: withBytes("a.bin", func(t *testing.T) []byte {
				pkl := adapterCkpt(t).pickle(false)
				return buildZip(t, "archive", pkl[:len(pkl)-20], adapterCkpt(t).storages)
			})},
		{name: "pickle string length past the end", want: "needs 2147483647 bytes", kind: weights.ErrTruncated,
			build: withBytes("a.bin", pickleZip([]byte("\x80\x02X\xff\xff\xff\x7fabc.")))},
		{name: "a single tensor, not a state dict", want: "single tensor", kind: weights.ErrUnsupported,
			build: withBytes("a.bin", func(t *testing.T) []byte {
				c := testCkpt{storages: map[string]testStorage{"0": {class: "FloatStorage", data: f32Bytes(1)}}, root: tensorRef{key: "0", size: []int{1}}}
				return c.zipBytes(t)
			})},
		{name: "shards share a tensor name", want: "is in both", kind: weights.ErrCorrupt, tensor: "image_proj.norm.bias",
			build: func(t *testing.T, dir string) string {
				st := filepath.Join(dir, "s.safetensors")
				if err := os.WriteFile(st, stFixture(t), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "t.safetensors"), stFixture(t), 0o644); err != nil {
					t.Fatal(err)
				}
				return writeIndex(t, dir, map[string]string{projW: "s.safetensors", kTo: "t.safetensors"})
			}},
		{name: "index names a shard without the tensor", want: "does not hold it", kind: weights.ErrCorrupt, tensor: "missing.weight",
			build: func(t *testing.T, dir string) string {
				if err := os.WriteFile(filepath.Join(dir, "s.safetensors"), stFixture(t), 0o644); err != nil {
					t.Fatal(err)
				}
				return writeIndex(t, dir, map[string]string{projW: "s.safetensors", "missing.weight": "s.safetensors"})
			}},
		{name: "index escapes its folder", want: "not a file next to the index", kind: weights.ErrCorrupt, tensor: projW,
			build: func(t *testing.T, dir string) string {
				return writeIndex(t, dir, map[string]string{projW: "../s.safetensors"})
			}},
	}
}

func writeIndex(t *testing.T, dir string, weightMap map[string]string) string {
	t.Helper()
	data, err := json.Marshal(map[string]any{"metadata": map[string]any{"total_size": 1}, "weight_map": weightMap})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "model.safetensors.index.json")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// openNoPanic opens path, failing the test if Open panics.
func openNoPanic(t *testing.T, path string) (src weights.Source, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Open panicked: %v", r)
		}
	}()
	return weights.Open(path)
}

func TestBrokenFiles(t *testing.T) {
	pwned := filepath.Join(t.TempDir(), "pwned")
	cases := brokenCases(pwned)
	if len(cases) < 12 {
		t.Fatalf("only %d kinds of broken file", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := c.build(t, t.TempDir())
			src, err := openNoPanic(t, path)
			if err == nil {
				src.Close()
				t.Fatal("opened without error")
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) {
				t.Errorf("error %q does not say %q", msg, c.want)
			}
			if !errors.Is(err, c.kind) {
				t.Errorf("error %q is not %v", msg, c.kind)
			}
			if !strings.Contains(msg, path) {
				t.Errorf("error %q does not name the file %s", msg, path)
			}
			if c.tensor != "" && !strings.Contains(msg, c.tensor) {
				t.Errorf("error %q does not name the tensor %s", msg, c.tensor)
			}
			t.Log(msg)
		})
	}
	if _, err := os.Stat(pwned); err == nil {
		t.Fatal("a malicious pickle ran a command")
	}
}

// Errors for damage that has a fix say what to do.
func TestBrokenFileErrorsSayHowToFix(t *testing.T) {
	for _, c := range brokenCases(filepath.Join(t.TempDir(), "pwned")) {
		if !errors.Is(c.kind, weights.ErrTruncated) && !errors.Is(c.kind, weights.ErrLFSPointer) {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			_, err := openNoPanic(t, c.build(t, t.TempDir()))
			if err == nil {
				t.Fatal("no error")
			}
			if msg := err.Error(); !strings.Contains(msg, "download") && !strings.Contains(msg, "git lfs") {
				t.Errorf("error %q gives no fix", msg)
			}
		})
	}
}

package hub

import (
	"context"
	"testing"
)

// TestProgressFileNamesTheFile: ProgressFile hears every download with the
// file's path in the repository, and the same counts as Progress, which
// keeps working beside it; a cached file reports nothing.
func TestProgressFileNamesTheFile(t *testing.T) {
	isolateEnv(t)
	fh := newFakeHub(t)
	opts := fh.options(t.TempDir())
	type call struct {
		file        string
		done, total int64
	}
	var byFile []call
	var plain [][2]int64
	opts.ProgressFile = func(file string, done, total int64) { byFile = append(byFile, call{file, done, total}) }
	opts.Progress = func(done, total int64) { plain = append(plain, [2]int64{done, total}) }
	ctx := context.Background()
	for _, name := range []string{"config.json", unetFile} {
		byFile, plain = nil, nil
		if _, err := Download(ctx, "org/model", name, opts); err != nil {
			t.Fatalf("Download(%s): %v", name, err)
		}
		size := int64(len(fh.repos["org/model"][name].content))
		if len(byFile) < 2 || byFile[0] != (call{name, 0, size}) || byFile[len(byFile)-1] != (call{name, size, size}) {
			t.Errorf("%s: ProgressFile calls %v, want (%s, 0, %d) … (%s, %d, %d)", name, byFile, name, size, name, size, size)
		}
		if len(plain) != len(byFile) {
			t.Fatalf("%s: %d Progress calls beside %d ProgressFile calls, want as many", name, len(plain), len(byFile))
		}
		for i, c := range byFile {
			if c.file != name || plain[i] != [2]int64{c.done, c.total} {
				t.Errorf("%s: call %d: ProgressFile %v, Progress %v", name, i, c, plain[i])
			}
		}
	}
	byFile = nil
	if _, err := Download(ctx, "org/model", unetFile, opts); err != nil {
		t.Fatal(err)
	}
	if len(byFile) != 0 {
		t.Errorf("a cached file reported progress: %v", byFile)
	}

	// Alone, without Progress.
	opts = fh.options(t.TempDir())
	var files []string
	opts.ProgressFile = func(file string, _, _ int64) { files = append(files, file) }
	if _, err := Download(ctx, "org/model", "config.json", opts); err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 || files[0] != "config.json" {
		t.Errorf("ProgressFile alone: calls for %q, want config.json", files)
	}
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/xla"
)

// The tests run the commands on the tiny SDXL of the golden fixtures, on
// the pure-Go backend: in-process through app.run for the results, and as
// a built binary for what only a process shows (exit codes, stderr,
// signals).

// binDir holds the binary built for the process tests.
var binDir string

func TestMain(m *testing.M) {
	// Deterministic, and the same in-process and in the subprocesses,
	// whatever the machine has.
	os.Setenv(xla.BackendEnv, "go")
	os.Setenv("HF_HUB_OFFLINE", "1")
	dir, err := os.MkdirTemp("", "ipadapter-cmd-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// builtBinary builds the command once per test process (only when a test
// needs it: the build costs seconds) and returns its path.
func builtBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binPath = filepath.Join(binDir, "ipadapter")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// fixtures are the tiny model's files.
type fixtures struct {
	model, singleFile, adapters                      string
	plain, plainBin, plus, plusBin                   string
	imageA, imageB, maskLeft, maskRight, unetWeights string
}

func fx(t *testing.T) fixtures {
	t.Helper()
	dir := golden.Repo(t)
	ad := filepath.Join(dir, "ip-adapter", "sdxl_models")
	f := fixtures{
		model:       filepath.Join(dir, "tiny-sdxl"),
		singleFile:  filepath.Join(dir, "single-file", "tiny-sdxl_sgm.fp16.safetensors"),
		adapters:    ad,
		plain:       filepath.Join(ad, "ip-adapter_tiny-sdxl.safetensors"),
		plainBin:    filepath.Join(ad, "ip-adapter_tiny-sdxl.bin"),
		plus:        filepath.Join(ad, "ip-adapter-plus_tiny-sdxl.safetensors"),
		plusBin:     filepath.Join(ad, "ip-adapter-plus_tiny-sdxl.bin"),
		imageA:      filepath.Join(dir, "images", "image_a.png"),
		imageB:      filepath.Join(dir, "images", "image_b.png"),
		maskLeft:    filepath.Join(dir, "images", "mask_left_96x96.png"),
		maskRight:   filepath.Join(dir, "images", "mask_right_96x96.png"),
		unetWeights: filepath.Join(dir, "tiny-sdxl", "unet", "diffusion_pytorch_model.safetensors"),
	}
	if _, err := os.Stat(f.model); err != nil {
		t.Skipf("golden fixtures missing: %v", err)
	}
	return f
}

// run runs the command in-process and returns stdout, stderr, exit code.
func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdout: &out, stderr: &errb}
	code = a.run(context.Background(), args)
	return out.String(), errb.String(), code
}

// runOK runs the command in-process and fails the test unless it succeeds.
func runOK(t *testing.T, args ...string) string {
	t.Helper()
	stdout, stderr, code := run(t, args...)
	if code != 0 || stderr != "" {
		t.Fatalf("ipadapter %s: exit %d, stderr %q\nstdout:\n%s", strings.Join(args, " "), code, stderr, stdout)
	}
	return stdout
}

// readPNG decodes a PNG file.
func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// samePixels reports whether b appears in a at offset at, pixel for pixel
// (compared as 8-bit NRGBA: what a PNG holds).
func samePixels(a image.Image, at image.Point, b image.Image) bool {
	bb := b.Bounds()
	if at.X < 0 || at.Y < 0 || at.X+bb.Dx() > a.Bounds().Dx() || at.Y+bb.Dy() > a.Bounds().Dy() {
		return false
	}
	for y := bb.Min.Y; y < bb.Max.Y; y++ {
		for x := bb.Min.X; x < bb.Max.X; x++ {
			pa := color.NRGBAModel.Convert(a.At(a.Bounds().Min.X+at.X+x-bb.Min.X, a.Bounds().Min.Y+at.Y+y-bb.Min.Y))
			if pa != color.NRGBAModel.Convert(b.At(x, y)) {
				return false
			}
		}
	}
	return true
}

// sameImage reports whether two images have the same size and pixels.
func sameImage(a, b image.Image) bool {
	return a.Bounds().Size() == b.Bounds().Size() && samePixels(a, image.Point{}, b)
}

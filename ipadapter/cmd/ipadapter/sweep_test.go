package main

import (
	"image"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/imagegrid"
)

// TestSweepScales: three scales make a sheet of the layout imagegrid
// computes, whose cells are the kept images, from one UNet compilation;
// each cell has its scale and they differ.
func TestSweepScales(t *testing.T) {
	f := fx(t)
	out := filepath.Join(t.TempDir(), "sheet.png")
	stdout := runOK(t, "sweep", "--model", f.model, "--ip-adapter", f.plain, "--ip-image", f.imageA,
		"--prompt", testPrompt, "--steps", "2", "--seed", "3", "--scales", "0,0.5,1", "--keep", "--out", out)
	if !strings.Contains(stdout, "3 images; UNet compilations: 1;") {
		t.Errorf("stdout does not report 3 images from one compilation:\n%s", stdout)
	}
	// The other components compile once for the sweep too: one prompt,
	// one reference image, one image size.
	if !strings.Contains(stdout, "other compiled graphs: text encoders 1+1, image encoder 1, image projection 1, VAE 1;") {
		t.Errorf("stdout does not report one compilation of every other component:\n%s", stdout)
	}
	scales := []float64{0, 0.5, 1}
	var cells []image.Image
	var meta ipadapter.Metadata
	for c, want := range scales {
		path := numbered(numbered(out, 0), c)
		m, err := ipadapter.ReadMetadata(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := adapter.ParseScales(m.IPAdapterScale)
		if err != nil || len(got) != 1 || got[0] != adapter.Scale(want) {
			t.Errorf("%s: scale %s, want [%g]", path, m.IPAdapterScale, want)
		}
		if m.Seed == nil || *m.Seed != 3 {
			t.Errorf("%s: seed %v, want 3", path, m.Seed)
		}
		meta = m
		cells = append(cells, readPNG(t, path))
	}
	for i := 1; i < len(cells); i++ {
		if sameImage(cells[i], cells[i-1]) {
			t.Errorf("scales %g and %g gave the same image", scales[i-1], scales[i])
		}
	}
	labels := []string{"scale 0", "scale 0.5", "scale 1"}
	l, err := imagegrid.Options{}.Layout([][]image.Image{cells}, nil, labels, sweepTitle(meta, false))
	if err != nil {
		t.Fatal(err)
	}
	sheet := readPNG(t, out)
	if got := sheet.Bounds().Size(); got != l.Size {
		t.Fatalf("sheet is %v, want %v", got, l.Size)
	}
	for c, cell := range cells {
		if !samePixels(sheet, l.Cells[0][c].Min, cell) {
			t.Errorf("cell %d of the sheet is not the kept image", c)
		}
	}
}

// TestSweepSeedsGrid: scales × seeds is a 2×2 grid, rows by seed.
func TestSweepSeedsGrid(t *testing.T) {
	f := fx(t)
	out := filepath.Join(t.TempDir(), "grid.png")
	stdout := runOK(t, "sweep", "--model", f.model, "--ip-adapter", f.plain, "--ip-image", f.imageA,
		"--prompt", "a cat", "--steps", "2", "--width", "64", "--height", "64",
		"--scales", "0.2,0.8", "--seeds", "5,6", "--keep", "--out", out)
	if !strings.Contains(stdout, "4 images; UNet compilations: 1;") {
		t.Errorf("stdout does not report 4 images from one compilation:\n%s", stdout)
	}
	for r, seed := range []uint64{5, 6} {
		for c, scale := range []string{"[0.2]", "[0.8]"} {
			m, err := ipadapter.ReadMetadata(numbered(numbered(out, r), c))
			if err != nil {
				t.Fatal(err)
			}
			if m.Seed == nil || *m.Seed != seed || string(m.IPAdapterScale) != scale {
				t.Errorf("cell [%d][%d]: seed %v, scale %s; want %d, %s", r, c, m.Seed, m.IPAdapterScale, seed, scale)
			}
		}
	}
	if sheet := readPNG(t, out); sheet.Bounds().Dx() < 2*64 || sheet.Bounds().Dy() < 2*64 {
		t.Errorf("sheet %v is too small for 2×2 cells of 64 pixels", sheet.Bounds())
	}
}

// TestSweepTwoAdapters: --scales and --scales-2 sweep two adapters (one
// folder, one encoder), columns by the first, rows by the second.
func TestSweepTwoAdapters(t *testing.T) {
	f := fx(t)
	out := filepath.Join(t.TempDir(), "two.png")
	stdout := runOK(t, "sweep", "--model", f.model, "--ip-adapter", f.plain, "--ip-adapter", f.plusBin,
		"--ip-image", f.imageA, "--ip-image", f.imageB, "--prompt", "a cat", "--steps", "2", "--width", "64", "--height", "64",
		"--scales", "0,1", "--scales-2", "0.5,1", "--keep", "--out", out)
	if !strings.Contains(stdout, "4 images; UNet compilations: 1;") {
		t.Errorf("stdout does not report 4 images from one compilation:\n%s", stdout)
	}
	var seed *uint64
	for r, s2 := range []string{"0.5", "1"} {
		for c, s1 := range []string{"0", "1"} {
			m, err := ipadapter.ReadMetadata(numbered(numbered(out, r), c))
			if err != nil {
				t.Fatal(err)
			}
			if want := "[" + s1 + "," + s2 + "]"; string(m.IPAdapterScale) != want {
				t.Errorf("cell [%d][%d]: scale %s, want %s", r, c, m.IPAdapterScale, want)
			}
			// Without --seed every cell shares the first one's random seed.
			if seed == nil {
				seed = m.Seed
			} else if m.Seed == nil || *m.Seed != *seed {
				t.Errorf("cell [%d][%d]: seed %v, want the first cell's %d", r, c, m.Seed, *seed)
			}
		}
	}
}

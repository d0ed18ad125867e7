// Command loadrss measures how much host memory loading weights takes: it
// writes a synthetic full-size SDXL UNet checkpoint
// (unet/diffusion_pytorch_model.fp16.safetensors, 5.1 GB: every tensor
// of the manifest testdata/golden/manifests/sdxl_base_unet.json with its
// name and shape, filled with arbitrary half-precision values) once to a
// folder, then loads it onto the pure-Go backend through ipadapter.LoadUNet
// (the code FromPretrained uses) and prints one JSON line: the file size,
// the peak resident memory of the load (VmHWM of /proc/self/status, reset
// before loading) and their ratio.
//
// The design goal is at most one host copy of each weight at a time: the
// weights go from the memory-mapped file to the backend's buffers (the
// pure-Go backend's buffers are host memory, so the loaded model itself is
// one copy), and mapped pages already copied are not kept resident. A
// ratio near 1 meets it; near 2 means the mapped file stayed resident
// next to the copies.
//
// Run with: go run ./bench/loadrss [-dir folder] [-remove]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/gomlx/compute/gobackend"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/procstatus"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
)

type result struct {
	Bench        string  `json:"bench"`
	File         string  `json:"file"`
	FileBytes    int64   `json:"file_bytes"`
	Tensors      int     `json:"tensors"`
	PeakRSS      int64   `json:"peak_rss_bytes"`
	BaseRSS      int64   `json:"rss_before_bytes"`
	AfterRSS     int64   `json:"rss_after_bytes"`
	AfterAnon    int64   `json:"rss_anon_after_bytes"`
	AfterFile    int64   `json:"rss_file_after_bytes"`
	PeakOverFile float64 `json:"peak_over_file"`
	LoadSeconds  float64 `json:"load_s"`
	WriteSeconds float64 `json:"write_s,omitempty"`
	GoVersion    string  `json:"go"`
}

func main() {
	dir := flag.String("dir", filepath.Join(os.TempDir(), "gonb-ipadapter-loadrss"), "folder for the synthetic checkpoint (written once, reused)")
	manifest := flag.String("manifest", "testdata/golden/manifests/sdxl_base_unet.json", "manifest giving the UNet's config, names and shapes")
	remove := flag.Bool("remove", false, "delete the synthetic checkpoint afterwards")
	flag.Parse()
	if err := run(*dir, *manifest, *remove); err != nil {
		fmt.Fprintln(os.Stderr, "loadrss:", err)
		os.Exit(1)
	}
}

func run(dir, manifest string, remove bool) error {
	res := result{Bench: "loadrss_sdxl_unet_fp16", GoVersion: runtime.Version()}
	start := time.Now()
	path, n, written, err := ensureCheckpoint(dir, manifest)
	if err != nil {
		return err
	}
	if written {
		res.WriteSeconds = time.Since(start).Seconds()
	}
	if remove {
		defer os.RemoveAll(dir)
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	res.File, res.FileBytes, res.Tensors = path, st.Size(), n

	backend, err := gobackend.New("")
	if err != nil {
		return err
	}
	runtime.GC()
	if err := resetPeakRSS(); err != nil {
		return err
	}
	mem, err := procstatus.Read()
	if err != nil {
		return err
	}
	res.BaseRSS = mem["VmRSS"]

	start = time.Now()
	m, err := ipadapter.LoadUNet(context.Background(), ipadapter.ComponentRef{Repo: dir, Subfolder: "unet"},
		ipadapter.Options{Backend: backend, Variant: "fp16", Hub: hubOffline()})
	if err != nil {
		return err
	}
	res.LoadSeconds = time.Since(start).Seconds()
	if mem, err = procstatus.Read(); err != nil {
		return err
	}
	res.PeakRSS, res.AfterRSS = mem["VmHWM"], mem["VmRSS"]
	res.AfterAnon, res.AfterFile = mem["RssAnon"], mem["RssFile"]
	res.PeakOverFile = float64(res.PeakRSS-res.BaseRSS) / float64(res.FileBytes)
	runtime.KeepAlive(m)
	m.Close()

	out, err := json.Marshal(res)
	if err != nil {
		return err
	}
	fmt.Println(string(out))
	return nil
}

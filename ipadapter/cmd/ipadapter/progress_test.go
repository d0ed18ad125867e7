package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
)

// fakeClock advances by step on every reading.
func fakeClock(step time.Duration) func() time.Time {
	t := time.Unix(0, 0)
	return func() time.Time {
		t = t.Add(step)
		return t
	}
}

// TestProgressLines: without a terminal, progress is plain lines on
// stdout, the first step, then at most one line per lineEvery, and the
// last; nothing on stderr.
func TestProgressLines(t *testing.T) {
	var out, errb bytes.Buffer
	p := newProgress(&app{stdout: &out, stderr: &errb}, false)
	p.now = fakeClock(500 * time.Millisecond)
	for s := range 21 {
		p.step(ipadapter.Progress{Step: s, Total: 20, ETA: time.Duration(20-s) * 500 * time.Millisecond})
	}
	p.end()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if !strings.HasPrefix(lines[0], "step 1/20 (5%)  2.00 it/s  ETA 9.5s") {
		t.Errorf("first line %q", lines[0])
	}
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "step 20/20 (100%)") || strings.Contains(last, "ETA") {
		t.Errorf("last line %q", last)
	}
	// 20 steps of 0.5 s: lines at steps 1, 5, 9, 13, 17 (every 2 s) and 20.
	if len(lines) != 6 {
		t.Errorf("%d lines, want 6:\n%s", len(lines), out.String())
	}
	if errb.Len() != 0 {
		t.Errorf("stderr got %q", errb.String())
	}
}

// TestProgressBar: on a terminal the bar is redrawn on stderr and erased
// before a message and at the end; messages go to stdout.
func TestProgressBar(t *testing.T) {
	var out, errb bytes.Buffer
	p := newProgress(&app{stdout: &out, stderr: &errb, terminal: true, width: 100}, false)
	p.now = fakeClock(2 * time.Second)
	p.begin("[1/3] scale 0")
	p.step(ipadapter.Progress{Step: 0, Total: 4})
	p.step(ipadapter.Progress{Step: 2, Total: 4, ETA: 4 * time.Second})
	bar := errb.String()
	if !strings.Contains(bar, "\r\x1b[K[1/3] scale 0: 2/4 [") || !strings.Contains(bar, "]  50%  1.00 it/s  ETA 4.0s") {
		t.Errorf("bar %q", bar)
	}
	p.info("note: %s", "hello")
	if !strings.HasSuffix(errb.String(), "\r\x1b[K") || out.String() != "note: hello\n" {
		t.Errorf("a message did not erase the bar: stderr %q, stdout %q", errb.String(), out.String())
	}
	p.step(ipadapter.Progress{Step: 4, Total: 4})
	if !strings.Contains(errb.String(), "decoding") {
		t.Errorf("the last step does not say decoding follows: %q", errb.String())
	}
	p.end()
	if !strings.HasSuffix(errb.String(), "\r\x1b[K") {
		t.Errorf("end did not erase the bar: %q", errb.String())
	}
}

// TestQuietIsSilent: --quiet prints nothing at all.
func TestQuietIsSilent(t *testing.T) {
	var out, errb bytes.Buffer
	p := newProgress(&app{stdout: &out, stderr: &errb, terminal: true}, true)
	p.info("loading")
	p.step(ipadapter.Progress{Step: 1, Total: 2})
	p.download("unet/w.safetensors", 1, 2)
	p.end()
	if out.Len()+errb.Len() != 0 {
		t.Errorf("quiet printed %q / %q", out.String(), errb.String())
	}
}

func TestHumanUnits(t *testing.T) {
	for d, want := range map[time.Duration]string{400 * time.Millisecond: "0.4s", 18 * time.Second: "18s", 125 * time.Second: "2m05s", 62 * time.Minute: "1h02m"} {
		if got := durationText(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
	if got := rateETA(ipadapter.Progress{Step: 1, Total: 3, ETA: 8 * time.Second}, 0.25); got != "  4.00 s/it  ETA 8.0s" {
		t.Errorf("slow steps: %q", got)
	}
	for n, want := range map[int64]string{512: "512 B", 812 << 10: "812.0 KiB", 7 << 30: "7.0 GiB"} {
		if got := bytesText(n); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
}

// TestDownloadLinesNameTheFile: a download line says which file of the
// repository is coming, how much of it, and finishes with the whole size.
func TestDownloadLinesNameTheFile(t *testing.T) {
	var out, errb bytes.Buffer
	p := newProgress(&app{stdout: &out, stderr: &errb}, false)
	p.now = fakeClock(5 * time.Second)
	p.download("unet/diffusion_pytorch_model.fp16.safetensors", 1<<30, 4<<30)
	p.download("unet/diffusion_pytorch_model.fp16.safetensors", 4<<30, 4<<30)
	want := "downloading unet/diffusion_pytorch_model.fp16.safetensors: 1.0 GiB of 4.0 GiB (25%)\n" +
		"downloading unet/diffusion_pytorch_model.fp16.safetensors: 4.0 GiB of 4.0 GiB (100%)\n"
	if out.String() != want {
		t.Errorf("download lines %q, want %q", out.String(), want)
	}
}

package main

import (
	"errors"
	"flag"
	"io"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
)

func TestParseArgsInterleaved(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		positional []string
		summary    bool
	}{
		{[]string{"a.safetensors"}, []string{"a.safetensors"}, false},
		{[]string{"--summary", "a", "b"}, []string{"a", "b"}, true},
		{[]string{"a", "--summary", "b"}, []string{"a", "b"}, true},
		{[]string{"a", "--", "--summary"}, []string{"a", "--summary"}, false},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		summary := fs.Bool("summary", false, "")
		got, err := parseArgs(fs, tc.args)
		if err != nil || !slices.Equal(got, tc.positional) || *summary != tc.summary {
			t.Errorf("%q: positional %q, summary %v, error %v; want %q, %v", tc.args, got, *summary, err, tc.positional, tc.summary)
		}
	}
}

func TestParseAdapterRef(t *testing.T) {
	f := fx(t)
	for _, tc := range []struct {
		in   string
		want adapterRef
	}{
		{"h94/IP-Adapter/sdxl_models/ip-adapter_sdxl.bin", adapterRef{"h94/IP-Adapter", "sdxl_models", "ip-adapter_sdxl.bin"}},
		{"org/repo/weights.safetensors", adapterRef{"org/repo", "", "weights.safetensors"}},
		{"org/repo/a/b/w.safetensors", adapterRef{"org/repo", "a/b", "w.safetensors"}},
		{f.plain, adapterRef{f.adapters, "", filepath.Base(f.plain)}},
	} {
		got, err := parseAdapterRef(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("%s: %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "h94/IP-Adapter", "h94/IP-Adapter/sdxl_models", f.adapters, filepath.Join(f.adapters, "missing.bin"), "./missing.bin"} {
		var ue usageError
		if _, err := parseAdapterRef(bad); !errors.As(err, &ue) {
			t.Errorf("%q: error %v, want a usage error", bad, err)
		}
	}
	// One source per adapter, in order, each with its own folder.
	srcs, err := adapterSources([]string{f.plain, f.plusBin})
	if err != nil || len(srcs) != 2 || srcs[0].Repo != f.adapters || srcs[1].Repo != f.adapters ||
		!slices.Equal(srcs[0].WeightNames, []string{filepath.Base(f.plain)}) || !slices.Equal(srcs[1].WeightNames, []string{filepath.Base(f.plusBin)}) {
		t.Errorf("two local adapters: %+v, %v", srcs, err)
	}
	srcs, err = adapterSources([]string{f.plain, "h94/IP-Adapter/sdxl_models/ip-adapter_sdxl.bin"})
	want := []ipadapter.IPAdapterSource{
		{Repo: f.adapters, WeightNames: []string{filepath.Base(f.plain)}},
		{Repo: "h94/IP-Adapter", Subfolder: "sdxl_models", WeightNames: []string{"ip-adapter_sdxl.bin"}},
	}
	if err != nil || !reflect.DeepEqual(srcs, want) {
		t.Errorf("adapters from two folders: %+v, %v; want %+v", srcs, err, want)
	}
	if _, err := adapterSources([]string{f.plain, "h94/IP-Adapter"}); err == nil {
		t.Error("a repository without a weight file was accepted")
	}
}

func TestComponentRef(t *testing.T) {
	f := fx(t)
	for in, want := range map[string]ipadapter.ComponentRef{
		"h94/IP-Adapter/models/image_encoder": {Repo: "h94/IP-Adapter", Subfolder: "models/image_encoder"},
		"madebyollin/sdxl-vae-fp16-fix":       {Repo: "madebyollin/sdxl-vae-fp16-fix"},
		f.model + "/vae":                      {Repo: f.model + "/vae"},
	} {
		if got := componentRef(in); got != want {
			t.Errorf("%s: %+v, want %+v", in, got, want)
		}
	}
}

func TestParseScaleFlags(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want []adapter.AdapterScale
	}{
		{[]string{"0.6"}, []adapter.AdapterScale{adapter.Scale(0.6)}},
		{[]string{".5"}, []adapter.AdapterScale{adapter.Scale(0.5)}},
		{[]string{"0.8", "0.35"}, []adapter.AdapterScale{adapter.Scale(0.8), adapter.Scale(0.35)}},
		{[]string{"[0.8, 0.35]"}, []adapter.AdapterScale{adapter.Scale(0.8), adapter.Scale(0.35)}},
		{[]string{"[[0.7, 0.7]]"}, []adapter.AdapterScale{adapter.PerImage{0.7, 0.7}}},
		{[]string{"style"}, []adapter.AdapterScale{adapter.StyleOnly()}},
		{[]string{"0.5", "style+layout"}, []adapter.AdapterScale{adapter.Scale(0.5), adapter.StyleAndLayout()}},
		{[]string{"layout"}, []adapter.AdapterScale{adapter.LayoutOnly()}},
		{[]string{`{"up": {"block_0": [0.0, 1.0, 0.0]}}`}, []adapter.AdapterScale{adapter.StyleOnly()}},
	} {
		got, err := parseScaleFlags(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"high", "[0.5", `{"left": 1}`} {
		if _, err := parseScaleFlags([]string{bad}); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

// TestIPFlagsWindows: one --ip-start/--ip-end value for every adapter, or
// one per adapter; anything else, or a window outside [0, 1], is refused.
func TestIPFlagsWindows(t *testing.T) {
	f := fx(t)
	check := func(start, end string) ([]adapter.Window, error) {
		ip := ipFlags{adapters: stringList{f.plain, f.plus}, images: stringList{f.imageA, f.imageB}, start: start, end: end}
		err := ip.check()
		return ip.windows, err
	}
	w, err := check("0.2", "")
	if err != nil || !slices.Equal(w, []adapter.Window{{Start: 0.2, End: 1}, {Start: 0.2, End: 1}}) {
		t.Errorf("--ip-start 0.2: %v, %v", w, err)
	}
	w, err = check("0,0.5", "0.5,1")
	if err != nil || !slices.Equal(w, []adapter.Window{{Start: 0, End: 0.5}, {Start: 0.5, End: 1}}) {
		t.Errorf("per adapter: %v, %v", w, err)
	}
	for _, bad := range [][2]string{{"0,0.1,0.2", ""}, {"0.8", "0.2"}, {"x", ""}, {"", "1.5"}} {
		if _, err := check(bad[0], bad[1]); err == nil {
			t.Errorf("--ip-start %q --ip-end %q was accepted", bad[0], bad[1])
		}
	}
}

func TestImagePaths(t *testing.T) {
	if got := imagePaths("out/bear.png", 1); !slices.Equal(got, []string{"out/bear.png"}) {
		t.Errorf("one image: %q", got)
	}
	if got := imagePaths("out/bear.png", 2); !slices.Equal(got, []string{"out/bear_0.png", "out/bear_1.png"}) {
		t.Errorf("two images: %q", got)
	}
}

func TestOneLine(t *testing.T) {
	if got := oneLine("a\n  b\n\nc\n"); got != "a; b; c" {
		t.Errorf("oneLine: %q", got)
	}
}

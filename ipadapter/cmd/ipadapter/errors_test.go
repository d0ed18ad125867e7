package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runBinary runs the built command with extra environment variables and
// returns its stdout, stderr and exit code.
func runBinary(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(builtBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// TestErrorsAreOneLine: every failure, from a flag typo to a request the
// pipeline refuses, exits non-zero with exactly one line on stderr that
// says what is wrong, and writes no output.
func TestErrorsAreOneLine(t *testing.T) {
	f := fx(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out.png")
	base := []string{"generate", "--model", f.model, "--prompt", "a cat", "--steps", "2", "--width", "64", "--height", "64", "--out", out}
	emptyCache := "HF_HUB_CACHE=" + t.TempDir()
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		code int
		want string
	}{
		{"unknown flag", nil, append(base, "--bogus"), exitUsage, "flag provided but not defined: -bogus (see 'ipadapter help generate')"},
		{"bad flag value", nil, append(base, "--steps", "many"), exitUsage, `invalid value "many" for flag -steps`},
		{"unknown command", nil, []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"missing prompt", nil, []string{"generate", "--model", f.model}, exitUsage, "--prompt is required"},
		{"bad scale", nil, append(base, "--ip-adapter", f.plain, "--ip-image", f.imageA, "--scale", "[0.5"), exitUsage, "--scale [0.5"},
		{"images without adapter", nil, append(base, "--ip-image", f.imageA), exitUsage, "--ip-image needs an IP-Adapter"},
		{"more images than adapters", nil, append(base, "--ip-adapter", f.plain, "--ip-image", f.imageA, "--ip-image", f.imageB), exitUsage, "2 --ip-image for 1 --ip-adapter"},
		{"missing model folder", nil, []string{"generate", "--model", filepath.Join(dir, "nope"), "--prompt", "x", "--out", out}, exitFailure, "nope"},
		{"missing adapter file", nil, append(base, "--ip-adapter", filepath.Join(f.adapters, "nope.safetensors"), "--ip-image", f.imageA), exitUsage, "nope.safetensors: no such file"},
		{"missing image", nil, append(base, "--ip-adapter", f.plain, "--ip-image", filepath.Join(dir, "nope.png")), exitFailure, "nope.png"},
		{"offline, model not cached", []string{emptyCache}, []string{"generate", "--offline", "--model", "someorg/not-cached", "--prompt", "x", "--out", out}, exitFailure, "offline"},
		{"offline, adapter not cached", []string{emptyCache}, append(base, "--offline", "--ip-adapter", "h94/IP-Adapter/sdxl_models/ip-adapter_sdxl.bin", "--ip-image", f.imageA), exitFailure, "not in the cache"},
		{"request refused by the pipeline", nil, append(base, "--ip-adapter", f.plain, "--ip-image", f.imageA, "--width", "100"), exitFailure, "divisible by 8"},
		{"scales for more adapters than loaded", nil, append(base, "--ip-adapter", f.plain, "--ip-image", f.imageA, "--scale", "[0.5, 0.5]"), exitFailure, "2 scale"},
		{"not a weights file", nil, []string{"inspect", f.imageA}, exitFailure, "unknown weights file format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runBinary(t, tc.env, tc.args...)
			if code != tc.code {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
				t.Errorf("stderr is not one line: %q", stderr)
			}
			if !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "goroutine") {
				t.Errorf("stderr %q does not say %q", stderr, tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s was written", out)
				os.Remove(out)
			}
		})
	}
}

// TestHelp: help and --help print the usage on stdout and succeed; no
// flag is left out of the groups; the guide's example is spelled out.
func TestHelp(t *testing.T) {
	stdout := runOK(t, "help")
	for _, c := range commands() {
		if !strings.Contains(stdout, "  "+c.name+" ") {
			t.Errorf("the overview does not list %s", c.name)
		}
	}
	for _, c := range commands() {
		usage := runOK(t, "help", c.name)
		if flagHelp := runOK(t, c.name, "--help"); flagHelp != usage {
			t.Errorf("%s --help differs from help %s", c.name, c.name)
		}
		if strings.Contains(usage, "\nOther:\n") {
			t.Errorf("help %s has flags outside every group:\n%s", c.name, usage[strings.Index(usage, "\nOther:"):])
		}
		fs, _, _ := c.flagSet()
		fs.VisitAll(func(fl *flag.Flag) {
			if !strings.Contains(usage, "--"+fl.Name+" ") && !strings.Contains(usage, "--"+fl.Name+"\n") {
				t.Errorf("help %s does not document --%s", c.name, fl.Name)
			}
		})
	}
	for _, want := range []string{"h94/IP-Adapter/sdxl_models/ip-adapter_sdxl.bin --scale 0.6", "ip_adapter_diner.png",
		`--prompt "a polar bear sitting in a chair drinking a milkshake"`, "--steps 100 --seed 0"} {
		if !strings.Contains(runOK(t, "help", "generate"), want) {
			t.Errorf("help generate lacks the guide's %q", want)
		}
	}
	// No command at all is a usage error, with the overview on stderr.
	if _, stderr, code := run(t); code != exitUsage || !strings.Contains(stderr, "Commands:") {
		t.Errorf("no command: exit %d, stderr %q", code, stderr)
	}
}

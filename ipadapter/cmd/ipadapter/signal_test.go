//go:build unix

package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestInterruptWritesNothing: SIGINT during a long generation stops it
// within a step or so: exit code 130, one line on stderr, and neither the
// image nor a temporary file is left.
func TestInterruptWritesNothing(t *testing.T) {
	f := fx(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "long.png")
	cmd := exec.Command(builtBinary(t), "generate", "--model", f.model, "--prompt", "a cat",
		"--steps", "1000", "--width", "64", "--height", "64", "--out", out, "--latents", filepath.Join(dir, "long.safetensors"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	// Wait for the first progress line: the denoising loop is running.
	lines := bufio.NewScanner(stdout)
	for lines.Scan() && !strings.HasPrefix(lines.Text(), "step ") {
	}
	if !strings.HasPrefix(lines.Text(), "step 1/1000") {
		t.Fatalf("no progress line before the output ended (last %q, stderr %q)", lines.Text(), stderr.String())
	}
	sent := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	go func() { // keep the pipe drained so the child never blocks on it
		for lines.Scan() {
		}
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10s after SIGINT")
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
		t.Fatalf("exit %v, want code %d (stderr %q)", err, exitInterrupted, stderr.String())
	}
	t.Logf("stopped %v after SIGINT", time.Since(sent).Round(time.Millisecond))
	if s := stderr.String(); strings.Count(s, "\n") != 1 || !strings.Contains(s, "interrupted (SIGINT)") {
		t.Errorf("stderr %q, want one line saying it was interrupted", s)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("%s was left in the output folder", e.Name())
	}
}

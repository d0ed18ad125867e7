// Command install-kernel installs the GoNB Jupyter kernel for this
// repository's notebooks:
//
//  1. installs gonb, goimports (and gopls, unless -tools says otherwise)
//     from the repository's tools module, at the versions it pins;
//  2. runs `gonb -install -go_work=<repository>`, so notebook cells
//     import the repository's packages (the kernel starts each notebook
//     with a go.work that uses it);
//  3. writes into the kernel's kernel.json "env" what cells need but
//     Jupyter would not pass on: GOTOOLCHAIN and GOEXPERIMENT (the
//     project's toolchain and SIMD kernels), GOMLX_BACKEND if set, and a
//     PATH that starts with the Go bin folder (GoNB runs goimports from
//     it, whatever PATH the Jupyter server was started with).
//
// Run it from the repository: go run ./kernel/cmd/install-kernel
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Defaults for the kernel's environment when the installing shell has
// none (the values scripts/env.sh sets).
const (
	defaultToolchain  = "go1.27.3"
	defaultExperiment = "simd"
	modulePath        = "github.com/seed11f6bdef/gonb-ipadapter"
)

func main() {
	tools := flag.String("tools", "all", `tools to install from tools/go.mod: "all", "none", or a comma-separated list of package paths`)
	flag.Parse()
	if err := run(*tools); err != nil {
		fmt.Fprintln(os.Stderr, "install-kernel:", err)
		os.Exit(1)
	}
}

func run(tools string) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	env := kernelEnv()
	for k, v := range env {
		os.Setenv(k, v) // the go commands below build with the same toolchain
	}
	if err := installTools(root, tools); err != nil {
		return err
	}
	bin, err := goBin()
	if err != nil {
		return err
	}
	os.Setenv("PATH", kernelPath(bin, os.Getenv("PATH")))
	env["PATH"] = os.Getenv("PATH")
	gonb := filepath.Join(bin, "gonb")
	args := []string{"-install", "-go_work=" + root}
	if _, err := exec.LookPath("gopls"); err != nil {
		// gopls only gives completion; the kernel runs without it.
		args = append(args, "-force_deps")
	}
	if err := runCmd("", gonb, args...); err != nil {
		return err
	}
	path, err := kernelJSON()
	if err != nil {
		return err
	}
	if err := setEnv(path, env); err != nil {
		return err
	}
	fmt.Printf("GoNB kernel installed: %s\n", path)
	fmt.Printf("Open the notebooks with: jupyter notebook %s\n", filepath.Join(root, "notebooks"))
	return nil
}

// repoRoot finds the repository from the working directory.
func repoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && bytes.Contains(data, []byte("module "+modulePath+"\n")) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("run install-kernel inside the gonb-ipadapter repository (no go.mod of %s above %s)", modulePath, wd)
		}
	}
}

// kernelEnv is the environment the kernel's cells need.
func kernelEnv() map[string]string {
	env := map[string]string{
		"GOTOOLCHAIN":  orDefault(os.Getenv("GOTOOLCHAIN"), defaultToolchain),
		"GOEXPERIMENT": orDefault(os.Getenv("GOEXPERIMENT"), defaultExperiment),
	}
	// "local" would make the kernel's go refuse the repository's go.mod.
	if env["GOTOOLCHAIN"] == "local" || env["GOTOOLCHAIN"] == "auto" {
		env["GOTOOLCHAIN"] = defaultToolchain
	}
	if b := os.Getenv("GOMLX_BACKEND"); b != "" {
		env["GOMLX_BACKEND"] = b
	}
	return env
}

// kernelPath puts the Go bin folder first and drops the toolchain folder
// `go run` itself adds (GOTOOLCHAIN picks the toolchain anew anyway) and
// duplicates.
func kernelPath(bin, path string) string {
	seen := map[string]bool{}
	var out []string
	for _, p := range append([]string{bin}, filepath.SplitList(path)...) {
		if p == "" || seen[p] || strings.Contains(filepath.ToSlash(p), "golang.org/toolchain@") {
			continue
		}
		seen[p] = true
		out = append(out, p)
	}
	return strings.Join(out, string(os.PathListSeparator))
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// installTools installs the requested tools of tools/go.mod.
func installTools(root, tools string) error {
	switch tools {
	case "none":
		return nil
	case "all", "":
		return runCmd(filepath.Join(root, "tools"), "go", "install", "tool")
	}
	return runCmd(filepath.Join(root, "tools"), "go", append([]string{"install"}, strings.Split(tools, ",")...)...)
}

// goBin is where go install puts programs.
func goBin() (string, error) {
	out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output()
	if err != nil {
		return "", fmt.Errorf("go env: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) > 0 && strings.TrimSpace(lines[0]) != "" {
		return strings.TrimSpace(lines[0]), nil
	}
	if len(lines) < 2 {
		return "", errors.New("go env printed no GOPATH")
	}
	return filepath.Join(strings.Split(strings.TrimSpace(lines[1]), string(os.PathListSeparator))[0], "bin"), nil
}

// kernelJSON is where gonb -install wrote the kernel spec (its own rule:
// JUPYTER_DATA_DIR, else the platform's default data folder).
func kernelJSON() (string, error) {
	dir := os.Getenv("JUPYTER_DATA_DIR")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		switch runtime.GOOS {
		case "darwin":
			dir = filepath.Join(home, "Library", "Jupyter")
		case "windows":
			dir = filepath.Join(os.Getenv("APPDATA"), "jupyter")
		default:
			dir = filepath.Join(home, ".local", "share", "jupyter")
		}
	}
	path := filepath.Join(dir, "kernels", "gonb", "kernel.json")
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("gonb -install wrote no %s: %w", path, err)
	}
	return path, nil
}

// setEnv merges env into the kernel spec's "env", keeping everything else.
func setEnv(path string, env map[string]string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var spec map[string]any
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	cur, _ := spec["env"].(map[string]any)
	if cur == nil {
		cur = map[string]any{}
	}
	for k, v := range env {
		cur[k] = v
	}
	spec["env"] = cur
	out, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(out, '\n'), 0o644)
}

func runCmd(dir, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return nil
}

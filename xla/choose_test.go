package xla

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeMachine is a temp-dir filesystem plus environment for Choose.
type fakeMachine struct {
	t     *testing.T
	root  string
	vars  map[string]string
	gpu   bool
	site  []string // what the fake python3 answers
	pyErr error
}

func newFakeMachine(t *testing.T) *fakeMachine {
	t.Helper()
	root := t.TempDir()
	m := &fakeMachine{t: t, root: root, vars: map[string]string{"HOME": filepath.Join(root, "home")}}
	m.mkdir("home")
	return m
}

func (m *fakeMachine) env() Env {
	return Env{
		LookupEnv: func(k string) (string, bool) { v, ok := m.vars[k]; return v, ok },
		Root:      m.root,
		SitePackages: func(context.Context) ([]string, error) {
			return m.site, m.pyErr
		},
		HasGPU:      func() bool { return m.gpu },
		XLACompiled: true,
	}
}

// path returns an absolute path inside the fake machine.
func (m *fakeMachine) path(rel string) string { return filepath.Join(m.root, rel) }

func (m *fakeMachine) mkdir(rel string) string {
	m.t.Helper()
	p := m.path(rel)
	if err := os.MkdirAll(p, 0o755); err != nil {
		m.t.Fatal(err)
	}
	return p
}

func (m *fakeMachine) file(rel string) string {
	m.t.Helper()
	p := m.path(rel)
	m.mkdir(filepath.Dir(rel))
	if err := os.WriteFile(p, []byte("fake"), 0o644); err != nil {
		m.t.Fatal(err)
	}
	return p
}

// jaxPlugin creates a fake jax CUDA plugin (and, for CUDA 13, the wheel's
// libdevice and a couple of libraries) in site-packages folder sp.
func (m *fakeMachine) jaxPlugin(sp, cuda string) string {
	m.t.Helper()
	p := m.file(filepath.Join(sp, "jax_plugins", "xla_cuda"+cuda, jaxPluginFile))
	if cuda == "13" {
		m.file(filepath.Join(sp, "nvidia/cu13/nvvm/libdevice/libdevice.10.bc"))
		m.file(filepath.Join(sp, "nvidia/cu13/lib/libcudart.so.13"))
		m.file(filepath.Join(sp, "nvidia/cudnn/lib/libcudnn.so.9"))
	}
	return p
}

func mustChoose(t *testing.T, env Env) Choice {
	t.Helper()
	c, err := Choose(env)
	if err != nil {
		t.Fatalf("Choose: %+v", err)
	}
	return c
}

func envValue(c Choice, name string) (string, bool) {
	for _, v := range c.Setenv {
		if v.Name == name {
			return v.Value, true
		}
	}
	return "", false
}

func TestChooseBackendEnvWins(t *testing.T) {
	m := newFakeMachine(t)
	m.gpu = true
	sp := m.mkdir("venv/lib/python3.12/site-packages")
	m.jaxPlugin("venv/lib/python3.12/site-packages", "13")
	m.site = []string{sp}
	m.vars[BackendEnv] = "go"
	m.vars[PluginEnv] = m.path("does/not/matter.so")
	c := mustChoose(t, m.env())
	if c.Config != "go" || c.IsXLA() || !strings.Contains(c.Reason, BackendEnv) {
		t.Errorf("got %+v, want config go chosen because of %s", c, BackendEnv)
	}
}

func TestChooseBackendEnvNamedPlugin(t *testing.T) {
	m := newFakeMachine(t)
	m.vars[BackendEnv] = "xla:cuda"
	c := mustChoose(t, m.env())
	if c.Config != "xla:cuda" || c.PluginPath != "" {
		t.Errorf("got %+v, want xla:cuda untouched", c)
	}
	if v, _ := envValue(c, noAutoInstallEnv); v != "1" {
		t.Errorf("want %s=1 for an xla backend, got Setenv %v", noAutoInstallEnv, c.Setenv)
	}
}

func TestChooseBackendEnvAbsolutePathResolvedKeepsOptions(t *testing.T) {
	m := newFakeMachine(t)
	real := m.jaxPlugin("sp/lib/python3.12/site-packages", "13")
	link := m.path("links/plugin.so")
	m.mkdir("links")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	m.vars[BackendEnv] = "xla:" + link + ",notf32"
	c := mustChoose(t, m.env())
	wantReal, _ := filepath.EvalSymlinks(real)
	if c.Config != "xla:"+wantReal+",notf32" || c.PluginPath != wantReal {
		t.Errorf("got config %q plugin %q, want the real path %q with options kept", c.Config, c.PluginPath, wantReal)
	}
	if _, ok := envValue(c, "GOPJRT_CUDA_CHECKS"); !ok {
		t.Errorf("jax layout behind the symlink should get the CUDA setup, Setenv %v", c.Setenv)
	}
}

func TestChooseBackendEnvMissingPlugin(t *testing.T) {
	m := newFakeMachine(t)
	missing := m.path("nope/xla_cuda_plugin.so")
	m.vars[BackendEnv] = "xla:" + missing
	_, err := Choose(m.env())
	if err == nil || !strings.Contains(err.Error(), "not found") || !strings.Contains(err.Error(), missing) {
		t.Fatalf("want a 'not found' error naming %s, got %v", missing, err)
	}
}

func TestChooseBackendEnvXLANotCompiled(t *testing.T) {
	m := newFakeMachine(t)
	m.vars[BackendEnv] = "xla:cpu"
	env := m.env()
	env.XLACompiled = false
	if _, err := Choose(env); err == nil || !strings.Contains(err.Error(), "without it") {
		t.Fatalf("want an error saying xla is not compiled in, got %v", err)
	}
}

func TestChooseExplicitPlugin(t *testing.T) {
	m := newFakeMachine(t)
	m.gpu = true
	sp := "opt/x/lib/python3.12/site-packages"
	plugin := m.jaxPlugin(sp, "13")
	m.vars[PluginEnv] = plugin
	m.vars["XLA_FLAGS"] = "--xla_dump_to=/tmp/d"
	c := mustChoose(t, m.env())
	real, _ := filepath.EvalSymlinks(plugin)
	if c.Config != "xla:"+real || c.PluginPath != real {
		t.Fatalf("got %+v, want plugin %s", c, real)
	}
	if !strings.Contains(c.Reason, PluginEnv) {
		t.Errorf("reason %q should cite %s", c.Reason, PluginEnv)
	}
	realSP, _ := filepath.EvalSymlinks(m.path(sp))
	wantFlags := "--xla_dump_to=/tmp/d --xla_gpu_cuda_data_dir=" + filepath.Join(realSP, "nvidia", "cu13")
	if v, _ := envValue(c, "XLA_FLAGS"); v != wantFlags {
		t.Errorf("XLA_FLAGS = %q, want %q", v, wantFlags)
	}
	if v, _ := envValue(c, "GOPJRT_CUDA_CHECKS"); v != "0" {
		t.Errorf("GOPJRT_CUDA_CHECKS = %q, want 0", v)
	}
	wantPreload := []string{
		filepath.Join(realSP, "nvidia/cu13/lib/libcudart.so.13"),
		filepath.Join(realSP, "nvidia/cudnn/lib/libcudnn.so.9"),
	}
	if !slices.Equal(c.Preload, wantPreload) {
		t.Errorf("Preload = %v, want %v", c.Preload, wantPreload)
	}
}

func TestChooseExplicitPluginKeepsUserCUDADataDir(t *testing.T) {
	m := newFakeMachine(t)
	m.gpu = true
	m.vars[PluginEnv] = m.jaxPlugin("sp", "13")
	m.vars["XLA_FLAGS"] = "--xla_gpu_cuda_data_dir=/mine"
	m.vars["GOPJRT_CUDA_CHECKS"] = "1"
	c := mustChoose(t, m.env())
	if v, ok := envValue(c, "XLA_FLAGS"); ok {
		t.Errorf("XLA_FLAGS must not be touched when the user set the data dir, got %q", v)
	}
	if v, ok := envValue(c, "GOPJRT_CUDA_CHECKS"); ok {
		t.Errorf("GOPJRT_CUDA_CHECKS set by the user must win, got %q", v)
	}
}

func TestChooseExplicitPluginErrors(t *testing.T) {
	m := newFakeMachine(t)
	m.gpu = true
	cases := map[string]struct {
		path, want string
	}{
		"missing":  {m.path("gone/xla_cuda_plugin.so"), "not found"},
		"relative": {"plugins/xla_cuda_plugin.so", "absolute path"},
		"folder":   {m.mkdir("adir_cuda"), "not a regular file"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			m.vars[PluginEnv] = tc.path
			_, err := Choose(m.env())
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), PluginEnv) {
				t.Fatalf("want an error about %s containing %q, got %v", PluginEnv, tc.want, err)
			}
		})
	}
}

func TestChooseExplicitCUDAPluginWithoutGPU(t *testing.T) {
	m := newFakeMachine(t)
	m.vars[PluginEnv] = m.jaxPlugin("sp", "13")
	_, err := Choose(m.env())
	if err == nil || !strings.Contains(err.Error(), "no NVIDIA GPU") {
		t.Fatalf("want a 'no NVIDIA GPU' error, got %v", err)
	}
}

func TestChooseJAXPluginFromPython(t *testing.T) {
	for _, gpu := range []bool{true, false} {
		m := newFakeMachine(t)
		m.gpu = gpu
		sp := "py/lib/python3.12/site-packages"
		plugin := m.jaxPlugin(sp, "13")
		m.site = []string{m.path("py/lib/python3.12/nonexistent"), m.path(sp)}
		c := mustChoose(t, m.env())
		if !gpu {
			if c.Config != GoConfig || !strings.Contains(c.Reason, "no NVIDIA GPU") {
				t.Errorf("without a GPU: got %+v, want go", c)
			}
			continue
		}
		real, _ := filepath.EvalSymlinks(plugin)
		if c.PluginPath != real || !strings.Contains(c.Reason, "jax") {
			t.Errorf("with a GPU: got %+v, want jax plugin %s", c, real)
		}
	}
}

func TestChooseCUDA13PreferredOverCUDA12(t *testing.T) {
	m := newFakeMachine(t)
	m.gpu = true
	// The first site-packages only has CUDA 12; a later one has CUDA 13.
	m.jaxPlugin("a/site-packages", "12")
	p13 := m.jaxPlugin("b/site-packages", "13")
	m.site = []string{m.path("a/site-packages"), m.path("b/site-packages")}
	c := mustChoose(t, m.env())
	if want, _ := filepath.EvalSymlinks(p13); c.PluginPath != want {
		t.Errorf("got %s, want the CUDA 13 plugin %s", c.PluginPath, want)
	}
	// Both in the same site-packages.
	p13b := m.jaxPlugin("a/site-packages", "13")
	c = mustChoose(t, m.env())
	if want, _ := filepath.EvalSymlinks(p13b); c.PluginPath != want {
		t.Errorf("got %s, want %s", c.PluginPath, want)
	}
}

func TestChooseCUDA12Setup(t *testing.T) {
	m := newFakeMachine(t)
	m.gpu = true
	sp := "c/site-packages"
	m.jaxPlugin(sp, "12")
	m.file(filepath.Join(sp, "nvidia/cuda_nvcc/bin/ptxas"))
	m.file(filepath.Join(sp, "nvidia/cublas/lib/libcublas.so.12"))
	m.file(filepath.Join(sp, "nvidia/cu13/lib/libcudart.so.13")) // must not be preloaded for CUDA 12
	m.site = []string{m.path(sp)}
	c := mustChoose(t, m.env())
	realSP, _ := filepath.EvalSymlinks(m.path(sp))
	if v, _ := envValue(c, "XLA_FLAGS"); v != "--xla_gpu_cuda_data_dir="+filepath.Join(realSP, "nvidia", "cuda_nvcc") {
		t.Errorf("XLA_FLAGS = %q", v)
	}
	if want := []string{filepath.Join(realSP, "nvidia/cublas/lib/libcublas.so.12")}; !slices.Equal(c.Preload, want) {
		t.Errorf("Preload = %v, want %v", c.Preload, want)
	}
}

func TestChooseJAXPluginInVenvWithoutPython(t *testing.T) {
	m := newFakeMachine(t)
	m.gpu = true
	m.pyErr = errors.New("python3 not on PATH")
	plugin := m.jaxPlugin("opt/torch/.venv/lib/python3.12/site-packages", "13")
	c := mustChoose(t, m.env())
	if want, _ := filepath.EvalSymlinks(plugin); c.PluginPath != want {
		t.Errorf("got %+v, want the /opt/*/.venv plugin %s", c, want)
	}
}

func TestChooseJAXPluginSymlinkResolved(t *testing.T) {
	m := newFakeMachine(t)
	m.gpu = true
	real := m.jaxPlugin("store/site-packages", "13")
	// A venv whose site-packages is a symlink to the store.
	m.mkdir("home/.venv/lib/python3.12")
	if err := os.Symlink(m.path("store/site-packages"), m.path("home/.venv/lib/python3.12/site-packages")); err != nil {
		t.Fatal(err)
	}
	c := mustChoose(t, m.env())
	want, _ := filepath.EvalSymlinks(real)
	if c.PluginPath != want || c.Config != "xla:"+want {
		t.Errorf("got %+v, want real path %s", c, want)
	}
}

func TestChooseGoXLAFolder(t *testing.T) {
	m := newFakeMachine(t)
	m.gpu = true
	plugin := m.file("home/.local/lib/go-xla/nvidia/" + goXLACUDAPluginFile)
	c := mustChoose(t, m.env())
	want, _ := filepath.EvalSymlinks(plugin)
	if c.PluginPath != want || !strings.Contains(c.Reason, "go-xla") {
		t.Fatalf("got %+v, want go-xla plugin %s", c, want)
	}
	if _, ok := envValue(c, "GOPJRT_CUDA_CHECKS"); ok {
		t.Errorf("go-xla's own layout needs no CUDA setup, got %v", c.Setenv)
	}
	if v, _ := envValue(c, noAutoInstallEnv); v != "1" {
		t.Errorf("want %s=1, got %v", noAutoInstallEnv, c.Setenv)
	}
}

func TestChooseGoXLAFolderFromPluginPathEnv(t *testing.T) {
	m := newFakeMachine(t)
	m.gpu = true
	plugin := m.file("custom/plugins/" + goXLACUDAPluginFile)
	m.file("home/.local/lib/go-xla/nvidia/" + goXLACUDAPluginFile) // ignored: PJRT_PLUGIN_LIBRARY_PATH replaces the defaults
	m.vars[pluginPathsEnv] = m.path("elsewhere") + ":" + m.path("custom/plugins")
	c := mustChoose(t, m.env())
	if want, _ := filepath.EvalSymlinks(plugin); c.PluginPath != want {
		t.Errorf("got %s, want %s", c.PluginPath, want)
	}
}

func TestChooseJAXBeforeGoXLA(t *testing.T) {
	m := newFakeMachine(t)
	m.gpu = true
	m.file("usr/local/lib/go-xla/nvidia/" + goXLACUDAPluginFile)
	jax := m.jaxPlugin("usr/local/lib/python3.12/dist-packages", "13")
	c := mustChoose(t, m.env())
	if want, _ := filepath.EvalSymlinks(jax); c.PluginPath != want {
		t.Errorf("got %s, want jax's %s", c.PluginPath, want)
	}
}

func TestChooseNothingFound(t *testing.T) {
	m := newFakeMachine(t)
	m.gpu = true
	m.mkdir("opt/torch/.venv/lib/python3.12/site-packages")
	c := mustChoose(t, m.env())
	if c.Config != GoConfig || c.IsXLA() || !strings.Contains(c.Reason, "no CUDA PJRT plugin") || len(c.Searched) == 0 {
		t.Errorf("got %+v, want go with a 'no CUDA PJRT plugin' reason and the searched paths", c)
	}
	m.gpu = false
	c = mustChoose(t, m.env())
	if c.Config != GoConfig || !strings.Contains(c.Reason, "no NVIDIA GPU") {
		t.Errorf("got %+v, want go because there is no GPU", c)
	}
}

func TestChooseXLANotCompiledFallsBackToGo(t *testing.T) {
	m := newFakeMachine(t)
	m.gpu = true
	m.jaxPlugin("opt/torch/.venv/lib/python3.12/site-packages", "13")
	env := m.env()
	env.XLACompiled = false
	c := mustChoose(t, env)
	if c.Config != GoConfig || !strings.Contains(c.Reason, "not compiled in") {
		t.Errorf("got %+v, want go because xla is not compiled in", c)
	}
}

func TestJAXLayout(t *testing.T) {
	cases := []struct {
		path, sp, major string
		ok              bool
	}{
		{"/v/site-packages/jax_plugins/xla_cuda13/xla_cuda_plugin.so", "/v/site-packages", "13", true},
		{"/v/site-packages/jax_plugins/xla_cuda12/xla_cuda_plugin.so", "/v/site-packages", "12", true},
		{"/v/site-packages/jax_plugins/xla_cuda11/xla_cuda_plugin.so", "", "", false},
		{"/v/site-packages/other/xla_cuda13/xla_cuda_plugin.so", "", "", false},
		{"/home/u/.local/lib/go-xla/nvidia/pjrt_c_api_cuda_plugin.so", "", "", false},
	}
	for _, tc := range cases {
		sp, major, ok := jaxLayout(tc.path)
		if sp != tc.sp || major != tc.major || ok != tc.ok {
			t.Errorf("jaxLayout(%q) = %q, %q, %v; want %q, %q, %v", tc.path, sp, major, ok, tc.sp, tc.major, tc.ok)
		}
	}
}

func TestParseSitePackages(t *testing.T) {
	got, err := parseSitePackages([]byte(`["/usr/lib/python3/dist-packages", "/root/.local/lib/python3.11/site-packages"]` + "\n"))
	if err != nil || len(got) != 2 || got[1] != "/root/.local/lib/python3.11/site-packages" {
		t.Errorf("got %v, %v", got, err)
	}
	if _, err := parseSitePackages([]byte("Traceback (most recent call last):")); err == nil {
		t.Error("want an error for non-JSON output")
	}
}

// TestPython3SitePackages runs the real python3, when there is one.
func TestPython3SitePackages(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("no python3 on PATH")
	}
	paths, err := python3SitePackages(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("python3 listed no package folders")
	}
	for _, p := range paths {
		if !filepath.IsAbs(p) {
			t.Errorf("relative site-packages path %q", p)
		}
	}
}

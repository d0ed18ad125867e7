package xla

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
)

// APIVersion is a PJRT C API version (major.minor).
type APIVersion struct {
	Major, Minor int
}

// String formats the version as "major.minor".
func (v APIVersion) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// Device is one device as the backend describes it.
type Device struct {
	Index       int
	Description string
}

// Report describes the backend in use, for `ipadapter env` and bug reports.
type Report struct {
	Backend     string // short backend name (String(), since the go backend's Name() is "Go Backend"): "go" or "xla"
	Config      string // the config the backend was created with
	Description string // the backend's own one-line description
	Reason      string // why this backend was chosen

	PluginPath       string            // real path of the PJRT plugin (xla only)
	ClientAPI        APIVersion        // PJRT C API of go-xla's header (zero without xla)
	PluginAPI        *APIVersion       // PJRT C API the plugin reports (nil without a plugin)
	PluginAttributes map[string]string // attributes the plugin reports (xla_version, …)

	Devices []Device // devices as the backend lists them
	GPUs    []GPU    // NVIDIA GPUs from nvidia-smi (name and memory, which PJRT does not expose through go-xla)

	HostMemoryBytes int64 // MemTotal of /proc/meminfo: the device memory of the pure-Go backend
	HostCPUs        int

	ComputeDType   dtypes.DType
	FlashAttention bool

	Setenv    []EnvVar // environment variables set for the backend
	Preloaded []string // NVIDIA libraries preloaded ("path" or "path: error")
	Warnings  []string
}

// Describe reports on the process-wide backend, creating it if needed. On
// error the report still holds what is known (the choice and its reason).
func Describe() (Report, error) {
	r := Report{ClientAPI: clientAPIVersion, HostCPUs: runtime.NumCPU()}
	if mem, err := hostMemoryBytes(); err == nil {
		r.HostMemoryBytes = mem
	}
	b, err := Backend()
	if err != nil {
		if c, cerr := Choose(OSEnv()); cerr == nil {
			r.Config, r.Reason, r.PluginPath, r.Setenv = c.Config, c.Reason, c.PluginPath, c.Setenv
		}
		r.Preloaded = preloadReport()
		return r, err
	}
	choice, _ := currentChoice()
	r.Backend, r.Config, r.Description, r.Reason = b.String(), choice.Config, b.Description(), choice.Reason
	r.PluginPath, r.Setenv = choice.PluginPath, choice.Setenv
	for i := 0; i < b.NumDevices(); i++ {
		r.Devices = append(r.Devices, Device{Index: i, Description: b.DeviceDescription(compute.DeviceNum(i))})
	}
	if err := pluginDetails(b, &r); err != nil {
		r.Warnings = append(r.Warnings, err.Error())
	}
	if isCUDABackend(b) {
		gpus, err := queryNvidiaSMI()
		if err != nil {
			r.Warnings = append(r.Warnings, err.Error())
		}
		r.GPUs = gpus
	}
	dt, err := ComputeDTypeFrom(b, os.LookupEnv)
	if err != nil {
		r.Warnings = append(r.Warnings, err.Error()+" (ignored)")
		dt = DefaultDType(b)
	}
	r.ComputeDType, r.FlashAttention = dt, HasFlashAttention(b)
	r.Preloaded = preloadReport()
	return r, nil
}

// String renders the report as aligned "key: value" lines.
func (r Report) String() string {
	var sb strings.Builder
	line := func(key, format string, args ...any) {
		fmt.Fprintf(&sb, "%-16s %s\n", key+":", fmt.Sprintf(format, args...))
	}
	line("backend", "%s (%s)", orUnknown(r.Backend), r.Config)
	if r.Description != "" {
		line("description", "%s", r.Description)
	}
	line("reason", "%s", r.Reason)
	if r.PluginPath != "" {
		line("plugin", "%s", r.PluginPath)
	}
	if r.ClientAPI != (APIVersion{}) || r.PluginAPI != nil {
		plugin := "n/a"
		if r.PluginAPI != nil {
			plugin = r.PluginAPI.String()
		}
		line("PJRT C API", "client (go-xla header) %s, plugin %s", r.ClientAPI, plugin)
	}
	if len(r.PluginAttributes) > 0 {
		keys := make([]string, 0, len(r.PluginAttributes))
		for k := range r.PluginAttributes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			line("plugin attr", "%s=%s", k, r.PluginAttributes[k])
		}
	}
	for _, d := range r.Devices {
		line(fmt.Sprintf("device %d", d.Index), "%s", d.Description)
	}
	for _, g := range r.GPUs {
		line(fmt.Sprintf("GPU %d", g.Index), "%s, %s total, %s used, driver %s", g.Name, mib(g.MemoryTotalMiB), mib(g.MemoryUsedMiB), g.Driver)
	}
	if r.HostMemoryBytes > 0 {
		line("host", "%d CPUs, %.1f GiB RAM", r.HostCPUs, float64(r.HostMemoryBytes)/(1<<30))
	}
	if r.ComputeDType != dtypes.InvalidDType {
		line("compute dtype", "%s (cuDNN flash attention: %v)", r.ComputeDType, r.FlashAttention)
	}
	for _, v := range r.Setenv {
		line("env set", "%s=%s", v.Name, v.Value)
	}
	for _, p := range r.Preloaded {
		line("preloaded", "%s", p)
	}
	for _, w := range r.Warnings {
		line("warning", "%s", w)
	}
	return sb.String()
}

func orUnknown(s string) string {
	if s == "" {
		return "(not created)"
	}
	return s
}

func mib(v int64) string {
	if v < 0 {
		return "?"
	}
	return fmt.Sprintf("%d MiB", v)
}

//go:build cgo && !noxla

package xla

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>

// preload opens a library the way Python's ctypes.CDLL does (RTLD_NOW |
// RTLD_LOCAL) and keeps it open: later dlopen calls by soname (from the PJRT
// plugin or XLA) then find this copy. Returns NULL on success, else dlerror().
static const char* preload(const char* path) {
	void* h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		return dlerror();
	}
	return NULL;
}
*/
import "C"

import (
	"fmt"
	"sort"
	"sync"
	"unsafe"

	"github.com/gomlx/compute"
	goxla "github.com/gomlx/go-xla/compute/xla"
	"github.com/gomlx/go-xla/pjrt"
	"github.com/pkg/errors"
)

// xlaCompiled tells Choose and Open that the xla backend is registered.
const xlaCompiled = true

// clientAPIVersion is PJRT_API_MAJOR.PJRT_API_MINOR of the pjrt_c_api.h that
// go-xla v0.4.13 compiles against (go-xla keeps them in C only); a test
// checks it against the header in the module cache.
var clientAPIVersion = APIVersion{Major: 0, Minor: 104}

// preloads records the outcome of every library preload, for Describe.
var preloads struct {
	mu      sync.Mutex
	results map[string]string // path → "" on success, else the dlerror text
}

// prepareXLA runs before any xla backend is created: no downloads, and the
// NVIDIA libraries jax would have loaded are loaded.
func prepareXLA(choice Choice) {
	goxla.EnableAutoInstall(false)
	preloadLibraries(choice.Preload)
}

// preloadLibraries dlopens each library once per process. A failure is not
// fatal (the plugin may find the library by its RPATH anyway); it is kept
// for Describe and shows up if the plugin then fails to load.
func preloadLibraries(paths []string) {
	preloads.mu.Lock()
	defer preloads.mu.Unlock()
	if preloads.results == nil {
		preloads.results = make(map[string]string)
	}
	for _, p := range paths {
		if _, done := preloads.results[p]; done {
			continue
		}
		cPath := C.CString(p)
		msg := C.preload(cPath)
		C.free(unsafe.Pointer(cPath))
		if msg != nil {
			preloads.results[p] = C.GoString(msg)
		} else {
			preloads.results[p] = ""
		}
	}
}

// preloadReport lists the preloaded libraries ("path" or "path: error").
func preloadReport() []string {
	preloads.mu.Lock()
	defer preloads.mu.Unlock()
	out := make([]string, 0, len(preloads.results))
	for p, e := range preloads.results {
		if e == "" {
			out = append(out, p)
		} else {
			out = append(out, p+": "+e)
		}
	}
	sort.Strings(out)
	return out
}

// isCUDABackend reports whether b is an xla backend on a CUDA plugin, the
// case where go-xla lowers fused attention to cuDNN flash attention.
func isCUDABackend(b compute.Backend) bool {
	xb, ok := b.(*goxla.Backend)
	return ok && !xb.IsFinalized() && xb.IsCUDA()
}

// pluginDetails fills the plugin part of a report from go-xla's (cached)
// plugin object.
func pluginDetails(b compute.Backend, r *Report) error {
	xb, ok := b.(*goxla.Backend)
	if !ok {
		return nil
	}
	plugin, err := pjrt.GetPlugin(xb.PluginName())
	if err != nil {
		return errors.WithMessagef(err, "looking up PJRT plugin %q", xb.PluginName())
	}
	major, minor := plugin.Version()
	r.PluginAPI = &APIVersion{Major: major, Minor: minor}
	r.PluginPath = plugin.Path()
	r.PluginAttributes = make(map[string]string, len(plugin.Attributes()))
	for k, v := range plugin.Attributes() {
		r.PluginAttributes[k] = fmt.Sprint(v)
	}
	return nil
}

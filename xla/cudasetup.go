package xla

import (
	"path/filepath"
	"strings"
)

// EnvVar is one environment variable to set before the backend is created.
type EnvVar struct {
	Name, Value string
}

// nvidiaLib is one NVIDIA shared library shipped by a pip wheel, found at
// <site-packages>/nvidia/<Module>/lib/<File>.
type nvidiaLib struct {
	Module, File string
}

// nvidiaLibs mirrors jax_plugins/cuda/__init__.py (_load_nvidia_libraries) of
// jax 0.11: jax loads these from the pip wheels before loading the plugin, so
// the plugin's own dlopen calls find them. A Go process must do the same,
// since LD_LIBRARY_PATH cannot be changed once the process runs. Keyed by
// the plugin's CUDA major version; the unversioned ones serve both.
var nvidiaLibs = map[string][]nvidiaLib{
	"13": {
		{"cu13", "libcudart.so.13"}, {"cu13", "libnvrtc.so.13"},
		{"cu13", "libcublas.so.13"}, {"cu13", "libcublasLt.so.13"},
		{"nccl", "libnccl.so.2"}, {"cu13", "libcupti.so.13"},
		{"cu13", "libcusparse.so.12"}, {"cu13", "libcusolver.so.12"},
		{"cu13", "libcufft.so.12"}, {"nvshmem", "libnvshmem_host.so.3"},
		{"cudnn", "libcudnn.so.9"},
	},
	"12": {
		{"cuda_runtime", "libcudart.so.12"}, {"cuda_nvrtc", "libnvrtc.so.12"},
		{"cublas", "libcublas.so.12"}, {"cublas", "libcublasLt.so.12"},
		{"nccl", "libnccl.so.2"}, {"cuda_cupti", "libcupti.so.12"},
		{"cusparse", "libcusparse.so.12"}, {"cusolver", "libcusolver.so.11"},
		{"cufft", "libcufft.so.11"}, {"nvshmem", "libnvshmem_host.so.3"},
		{"cudnn", "libcudnn.so.9"},
	},
}

// cudaDataDirs is, per CUDA major version, the wheel folder holding
// nvvm/libdevice and bin/ptxas, which XLA needs to compile GPU kernels.
var cudaDataDirs = map[string]string{
	"13": filepath.Join("nvidia", "cu13"),
	"12": filepath.Join("nvidia", "cuda_nvcc"),
}

// jaxLayout recognises <site-packages>/jax_plugins/xla_cudaNN/xla_cuda_plugin.so
// and returns site-packages and the CUDA major version NN.
func jaxLayout(pluginPath string) (sitePackages, cudaMajor string, ok bool) {
	if filepath.Base(pluginPath) != jaxPluginFile {
		return "", "", false
	}
	sub := filepath.Base(filepath.Dir(pluginPath))
	major, found := strings.CutPrefix(sub, "xla_cuda")
	if !found || nvidiaLibs[major] == nil {
		return "", "", false
	}
	jaxPlugins := filepath.Dir(filepath.Dir(pluginPath))
	if filepath.Base(jaxPlugins) != "jax_plugins" {
		return "", "", false
	}
	return filepath.Dir(jaxPlugins), major, true
}

// jaxCUDASetup returns what a jax plugin needs outside Python; pluginPath must
// be the real (symlink-free) path, since the plugin's RPATH is relative to it.
//
//   - GOPJRT_CUDA_CHECKS=0: go-xla looks for an nvidia/ folder next to
//     jax_plugins/, which a pip install never has; the check would only log
//     a misleading warning (and in old go-xla versions set a wrong
//     --xla_gpu_cuda_data_dir).
//   - XLA_FLAGS gains --xla_gpu_cuda_data_dir=<site-packages>/nvidia/cu13
//     (or cuda_nvcc for CUDA 12) when that folder holds libdevice or ptxas,
//     unless the user already set the flag. XLA only adds this folder to the
//     ones it tries, so a correct value never hurts.
//   - the NVIDIA libraries jax would have loaded, to be dlopen'ed first.
func jaxCUDASetup(pluginPath string, e Env) (setenv []EnvVar, preload []string) {
	sp, major, ok := jaxLayout(pluginPath)
	if !ok {
		return nil, nil
	}
	if _, set := e.lookup("GOPJRT_CUDA_CHECKS"); !set {
		setenv = append(setenv, EnvVar{"GOPJRT_CUDA_CHECKS", "0"})
	}
	dataDir := filepath.Join(sp, cudaDataDirs[major])
	hasTools := isFile(filepath.Join(dataDir, "nvvm", "libdevice", "libdevice.10.bc")) ||
		isFile(filepath.Join(dataDir, "bin", "ptxas"))
	flags, _ := e.lookup("XLA_FLAGS")
	if hasTools && !strings.Contains(flags, "--xla_gpu_cuda_data_dir") {
		flag := "--xla_gpu_cuda_data_dir=" + dataDir
		if flags != "" {
			flag = flags + " " + flag
		}
		setenv = append(setenv, EnvVar{"XLA_FLAGS", flag})
	}
	for _, lib := range nvidiaLibs[major] {
		p := filepath.Join(sp, "nvidia", lib.Module, "lib", lib.File)
		if isFile(p) {
			preload = append(preload, p)
		}
	}
	return setenv, preload
}

// Package xla picks the compute backend that every other package of
// gonb-ipadapter uses, describes it, and states the dtype policy that goes
// with it.
//
// The choice is made once per process by [Backend], in this order:
//
//  1. GOMLX_BACKEND, when set, wins (same values as GoMLX: "go", "xla:cuda",
//     "xla:cpu", "xla:/abs/path/plugin.so[,options]").
//  2. IPADAPTER_PJRT_PLUGIN, an explicit path to a PJRT plugin.
//  3. With an NVIDIA GPU present: jax's CUDA plugin from a Python
//     installation (jax_plugins/xla_cuda13, then xla_cuda12), then a CUDA
//     plugin installed by go-xla (~/.local/lib/go-xla, /usr/local/lib/go-xla,
//     PJRT_PLUGIN_LIBRARY_PATH).
//  4. Otherwise the pure-Go backend ("go").
//
// The decision itself is the pure function [Choose], which takes its
// environment variables, filesystem root, Python runner and GPU probe from an
// [Env], so that it can be tested with fake plugin folders.
//
// Nothing here downloads a plugin behind the user's back: go-xla's
// auto-install is switched off whenever an xla backend is created. Installing
// the CUDA plugin from PyPI is an explicit call, [InstallCUDAPlugin].
//
// The xla backend needs cgo. Built without cgo (or with the "noxla" build
// tag), the package only offers the pure-Go backend and says so in its errors.
package xla

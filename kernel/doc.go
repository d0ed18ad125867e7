// Package kernel is what a GoNB notebook cell uses to run IP-Adapter on
// Stable Diffusion XL: a client of a resident backend process that keeps
// the pipelines loaded and compiled between cells.
//
// GoNB compiles and runs every cell as a new process, so nothing a cell
// loads survives it: loading SDXL and compiling its UNet in every cell
// would cost minutes each time. Instead the first cell that calls Connect
// starts the backend (package kernel/server, built once per source
// version into the user's cache folder and detached from the notebook),
// and every later cell talks to it over a unix socket in a private runtime
// folder. The backend exits by itself after an idle timeout.
//
//	c, err := kernel.Connect()
//	pipe, err := c.Load(ctx, kernel.LoadRequest{Name: "sdxl", Model: "stabilityai/stable-diffusion-xl-base-1.0", Variant: "fp16"})
//	err = pipe.LoadIPAdapter(ctx, kernel.AdapterRequest{Repo: "h94/IP-Adapter", Subfolder: "sdxl_models", WeightNames: []string{"ip-adapter_sdxl.safetensors"}})
//	res, err := pipe.Generate(ctx, kernel.Request{Prompt: "a polar bear", IPAdapterImages: [][]image.Image{{ref}}, Scale: 0.6, Seed: kernel.Seed(0)})
//
// Loading the same pipeline or adapters again is cheap (the backend
// answers with what it has), so a notebook's cells can each say what they
// need and be run in any order, or again.
//
// This package links only the standard library and the wire messages, so
// a cell compiles in seconds; package kernel/display shows the results.
//
// Environment:
//
//	IPADAPTER_KERNEL_DIR     runtime folder (socket, log, lock); default $XDG_RUNTIME_DIR/gonb-ipadapter or <tmp>/gonb-ipadapter-<uid>
//	IPADAPTER_KERNEL_IDLE    idle timeout of a backend this client starts (Go duration; default 30m; 0 = never)
//	IPADAPTER_KERNEL_SOURCE  the repository to build the backend from (default: where this package was compiled from)
//	IPADAPTER_KERNEL_BIN     a prebuilt backend binary to start instead of building one
//
// The backend inherits the starting cell's environment: GOMLX_BACKEND,
// HF_HOME, HF_HUB_OFFLINE and the like apply to it as to the library.
package kernel

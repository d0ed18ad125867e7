// Package server is the notebook kernel's resident backend: one process
// that keeps ipadapter pipelines loaded and their graphs compiled while
// GoNB runs every notebook cell as a new, short-lived process.
//
// It serves JSON over HTTP on a unix socket (package kernel/wire has the
// messages; package kernel is the client). Pipelines are kept by name.
// Generate and attention calls stream newline-delimited events (progress,
// then the result), and stop within one denoising step when the client
// goes away (an interrupted cell). The process exits after an idle
// timeout, so a forgotten backend gives its memory back.
//
// The backend adds no model logic: every call is the library's, attention
// maps included (the pipeline captures them from its own run,
// ipadapter.Request.AttentionMaps); the backend only lays them out for a
// notebook.
package server

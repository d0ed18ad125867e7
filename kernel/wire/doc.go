// Package wire holds the JSON messages between the notebook kernel's
// client (package kernel, linked into every GoNB cell) and its resident
// backend (package kernel/server). It imports nothing from the model
// library, so a cell that only talks to the backend compiles and links in
// seconds instead of pulling in GoMLX.
//
// Everything travels as JSON over HTTP on a unix socket. Images are PNG
// bytes (lossless, so the backend sees exactly the pixels the cell
// decoded); float arrays are little-endian float32 in base64 (Floats).
// Long calls (generate, attention) answer with a stream of
// newline-delimited Events, so a cell can show progress as it comes.
package wire

// Version changes whenever a message changes incompatibly. The client
// builds the backend from the same source it was compiled from, so the two
// normally agree; the check catches a backend left running from an older
// checkout.
const Version = 2

// Paths of the backend's HTTP API. Pipeline-scoped calls take the
// pipeline's name as the last path element.
const (
	PathStatus    = "/v1/status"
	PathShutdown  = "/v1/shutdown"
	PathLoad      = "/v1/load"
	PathClose     = "/v1/close/"
	PathAdapters  = "/v1/adapters/"
	PathUnloadIP  = "/v1/unload-adapters/"
	PathScale     = "/v1/scale/"
	PathScheduler = "/v1/scheduler/"
	PathGenerate  = "/v1/generate/"
	PathEmbeds    = "/v1/embeds/"
	PathAttention = "/v1/attention/"
)

// Error is the body of every non-2xx answer.
type Error struct {
	Error string `json:"error"`
}

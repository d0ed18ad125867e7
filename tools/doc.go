// Module tools pins the programs the notebooks need, installed with
// `go -C tools install tool` (all) or by name:
//
//   - github.com/janpfeifer/gonb: the Go Jupyter kernel (v0.11.5);
//   - golang.org/x/tools/cmd/goimports: GoNB runs it on every cell;
//   - golang.org/x/tools/gopls: completion and docs in the notebook (optional).
//
// They live in their own module so the library's go.mod does not carry a
// Jupyter kernel's dependencies, and so `go install pkg@version` (which
// needs the proxy's version list) is never needed. kernel/cmd/install-kernel
// installs them and the kernel.
package tools

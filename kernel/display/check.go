package display

import (
	"fmt"
	"html"
	"os"

	"github.com/janpfeifer/gonb/gonbui"
)

// Check ends a notebook cell that met an error: it shows the error in
// the cell's output and exits with status 1, which Jupyter (and a
// headless nbconvert run) reports as a failed cell, without the stack
// trace a panic prints. For cells only; library code returns errors. As
// with any os.Exit, the cell's deferred calls do not run.
func Check(err error) {
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "error:", err)
	if gonbui.IsNotebook {
		gonbui.DisplayHTML(`<pre style="color: #b00020; white-space: pre-wrap;">` + html.EscapeString(err.Error()) + `</pre>`)
		gonbui.Sync()
	}
	os.Exit(1)
}

// Must returns v, or ends the cell as Check does.
func Must[T any](v T, err error) T {
	Check(err)
	return v
}

// Must2 is Must for calls that return two values and an error.
func Must2[T, U any](v T, u U, err error) (T, U) {
	Check(err)
	return v, u
}

// Command ipadapter runs Stable Diffusion XL with IP-Adapter from the
// command line, for scripts and people without Jupyter: generate images,
// sweep IP-Adapter scales or seeds into one contact sheet, precompute
// image embeddings, inspect weight files, and describe the backend.
//
// Run "ipadapter help" for the commands and "ipadapter help generate" for
// the flags, with the seed example of diffusers' IP-Adapter guide.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

func main() {
	ctx, stop := interruptContext(context.Background())
	defer stop()
	a := &app{stdout: os.Stdout, stderr: os.Stderr}
	if fd := int(os.Stderr.Fd()); term.IsTerminal(fd) {
		a.terminal = true
		if w, _, err := term.GetSize(fd); err == nil {
			a.width = w
		}
	}
	code := a.run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// app is one invocation's environment: where output goes and whether a
// progress bar can be drawn. Tests run commands in-process through it.
type app struct {
	stdout, stderr io.Writer
	// terminal says stderr is a terminal (progress bar instead of lines),
	// width its width in columns (0 if unknown).
	terminal bool
	width    int
}

// Exit codes: flag errors use 2 like Go's flag package, an interrupted run
// 128+SIGINT like a shell.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// run dispatches args to a command and turns its outcome into an exit
// code and at most one line on stderr.
func (a *app) run(ctx context.Context, args []string) (code int) {
	if len(args) == 0 {
		mainUsage(a.stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		return a.help(rest)
	}
	cmd := findCommand(name)
	if cmd == nil {
		fmt.Fprintf(a.stderr, "ipadapter: unknown command %q (run 'ipadapter help' for the list)\n", name)
		return exitUsage
	}
	defer func() {
		// A panic is a bug of ours, but the user still gets one line.
		if r := recover(); r != nil {
			fmt.Fprintf(a.stderr, "ipadapter %s: internal error: %s\n", name, oneLine(fmt.Sprint(r)))
			code = exitFailure
		}
	}()
	return a.report(ctx, cmd, cmd.execute(ctx, a, rest))
}

// help prints the usage of the command named in args, or the overview.
func (a *app) help(args []string) int {
	if len(args) == 0 {
		mainUsage(a.stdout)
		return exitOK
	}
	cmd := findCommand(args[0])
	if cmd == nil {
		fmt.Fprintf(a.stderr, "ipadapter help: unknown command %q (run 'ipadapter help' for the list)\n", args[0])
		return exitUsage
	}
	cmd.usage(a.stdout)
	return exitOK
}

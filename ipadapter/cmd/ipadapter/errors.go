package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
)

// usageError is a mistake in the command line, found before any work:
// exit code 2 and a hint to the command's help.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// usagef makes a usageError.
func usagef(format string, args ...any) error {
	return usageError{msg: fmt.Sprintf(format, args...)}
}

// report prints a command's error as one line on stderr and returns the
// exit code: 0, 2 for usage errors, 130 when interrupted, else 1.
func (a *app) report(ctx context.Context, cmd *command, err error) int {
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		cmd.usage(a.stdout)
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(a.stderr, "ipadapter %s: %s (see 'ipadapter help %s')\n", cmd.name, oneLine(ue.msg), cmd.name)
		return exitUsage
	case ctx.Err() != nil:
		// Whatever the command was doing failed because it was told to
		// stop: say so, not the wrapped context error.
		fmt.Fprintf(a.stderr, "ipadapter %s: %s: nothing was written\n", cmd.name, context.Cause(ctx))
		return exitInterrupted
	}
	fmt.Fprintf(a.stderr, "ipadapter %s: %s\n", cmd.name, oneLine(err.Error()))
	return exitFailure
}

// oneLine joins a multi-line message (errors.Join makes them) with "; ".
func oneLine(s string) string {
	var parts []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, "; ")
}

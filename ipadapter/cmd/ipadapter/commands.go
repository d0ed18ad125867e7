package main

import (
	"context"
	"errors"
	"flag"
	"io"
)

// command is one subcommand: its help text and flags, and what it does.
type command struct {
	name string
	// args follows "[flags]" in the synopsis ("FILE...").
	args string
	// summary is the one line of the command list; about is the help text
	// printed before the flags (what it does, examples).
	summary, about string
	// setup registers the flags on fs and returns how help groups them and
	// the function that runs the command once they are parsed.
	setup func(fs *flag.FlagSet) ([]flagGroup, runFunc)
}

// runFunc runs a command with its positional arguments.
type runFunc func(ctx context.Context, a *app, args []string) error

// commands lists the subcommands in the order help shows them.
func commands() []*command {
	return []*command{generateCommand(), sweepCommand(), embedCommand(), inspectCommand(), envCommand()}
}

func findCommand(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

// flagSet builds the command's flags. Parse errors are returned, never
// printed: the caller turns them into one line.
func (c *command) flagSet() (*flag.FlagSet, []flagGroup, runFunc) {
	fs := flag.NewFlagSet("ipadapter "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	groups, run := c.setup(fs)
	return fs, groups, run
}

// execute parses args and runs the command.
func (c *command) execute(ctx context.Context, a *app, args []string) error {
	fs, _, run := c.flagSet()
	positional, err := parseArgs(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{msg: err.Error()}
	}
	return run(ctx, a, positional)
}

// parseArgs parses flags anywhere among the arguments ("inspect FILE
// --summary" as well as "inspect --summary FILE"), which Go's flag package
// alone stops doing at the first positional argument. After "--" every
// argument is positional.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/seed11f6bdef/gonb-ipadapter/xla"
)

func envCommand() *command {
	return &command{
		name:    "env",
		summary: "show the compute backend, device, memory and dtype",
		about: `Shows the backend generate would use and why (GOMLX_BACKEND, a CUDA plugin found,
or the pure-Go fallback), its devices and memory, the PJRT plugin and its API
version, and the compute dtype. Include it in bug reports.

Examples:

  ipadapter env
  ipadapter env --backend xla:cpu --dtype bf16`,
		setup: func(fs *flag.FlagSet) ([]flagGroup, runFunc) {
			c := &envCmd{}
			return []flagGroup{c.backend.register(fs)}, c.run
		},
	}
}

type envCmd struct {
	backend backendFlags
}

func (c *envCmd) run(ctx context.Context, a *app, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	if err := c.backend.check(); err != nil {
		return err
	}
	if err := c.backend.apply(); err != nil {
		return err
	}
	report, err := xla.Describe()
	// On error the report still says what was chosen and why: print it,
	// then the error as the one line.
	fmt.Fprint(a.stdout, report.String())
	return err
}

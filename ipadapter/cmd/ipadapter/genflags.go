package main

import (
	"context"
	"flag"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/scheduler"
)

// genFlags are what generate and sweep share: the model, the IP-Adapters
// and the pipeline call.
type genFlags struct {
	model modelFlags
	ip    ipFlags
	req   reqFlags
	quiet bool
}

func (g *genFlags) register(fs *flag.FlagSet) []flagGroup {
	groups := g.model.register(fs)
	return append(groups, g.ip.register(fs), g.req.register(fs))
}

// registerQuiet adds --quiet (in the command's output group).
func (g *genFlags) registerQuiet(fs *flag.FlagSet) string {
	fs.BoolVar(&g.quiet, "quiet", false, "no progress or messages, only errors")
	return "quiet"
}

// check checks every flag that can be checked before loading anything,
// so that a typo costs no minutes of loading.
func (g *genFlags) check(args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q (the prompt goes in --prompt)", args[0])
	}
	for _, check := range []func() error{g.model.check, g.ip.check, g.req.check} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// open loads the pipeline and the adapters, sets the scheduler and
// returns the request the flags describe, reference images included. The
// caller closes the pipeline.
func (g *genFlags) open(ctx context.Context, p *progress) (*ipadapter.Pipeline, ipadapter.Request, error) {
	req := g.req.request()
	pipe, err := g.model.load(ctx, p)
	if err != nil {
		return nil, req, err
	}
	err = g.setUp(ctx, pipe, p, &req)
	if err != nil {
		pipe.Close()
		return nil, req, err
	}
	return pipe, req, nil
}

// setUp applies the flags to a loaded pipeline: scheduler, adapters and
// their scales, and the request's reference images, embeddings and masks.
func (g *genFlags) setUp(ctx context.Context, pipe *ipadapter.Pipeline, p *progress, req *ipadapter.Request) error {
	if g.req.scheduler != "" {
		if err := pipe.SetScheduler(g.req.scheduler, scheduler.Config{}); err != nil {
			return err
		}
	}
	if err := g.ip.load(ctx, pipe, p); err != nil {
		return err
	}
	return g.ip.fill(ctx, pipe, req)
}

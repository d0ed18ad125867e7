//go:build !unix

package kernel

import (
	"context"
	"errors"
)

var errUnsupported = errors.New("starting the notebook backend needs a unix system: run ipadapter-kernel yourself and use kernel.Dial")

func spawn(bin, socket, logPath, idle, hash string) error { return errUnsupported }

func lockFile(ctx context.Context, path string) (func(), error) { return nil, errUnsupported }

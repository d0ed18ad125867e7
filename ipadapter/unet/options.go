package unet

import (
	"github.com/gomlx/compute"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// DefaultOptions are the graph options for running the UNet on a backend:
// nn.DefaultOptions (float32; im2col convolutions on the pure-Go
// backend). It is the UNet's own entry point so that UNet-specific
// choices have one place to go.
func DefaultOptions(backend compute.Backend) nn.Options {
	return nn.DefaultOptions(backend)
}

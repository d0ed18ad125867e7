package unet

import (
	"github.com/gomlx/compute"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// DefaultOptions are the graph options for running the UNet on a backend:
// nn.DefaultOptions, with im2col convolutions on the pure-Go backend
// (several times faster than its direct convolution). nn.DefaultOptions
// recognises that backend by Name(), which is "Go Backend"; its short name
// "go" is String().
func DefaultOptions(backend compute.Backend) nn.Options {
	o := nn.DefaultOptions(backend)
	if backend != nil && backend.String() == "go" {
		o.Im2Col = true
	}
	return o
}

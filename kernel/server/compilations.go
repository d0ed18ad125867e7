package server

import (
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/kernel/wire"
)

// compilations converts the pipeline's compilation counts for the status.
func compilations(c ipadapter.Compilations) wire.Compilations {
	return wire.Compilations{
		UNet: c.UNet, TextEncoders: c.TextEncoders, ImageEncoder: c.ImageEncoder,
		ImageProjection: c.ImageProjection, VAE: c.VAE, Total: c.Total(),
	}
}

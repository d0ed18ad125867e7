//go:build cgo && !noxla

package main

import (
	"github.com/gomlx/compute"
	goxla "github.com/gomlx/go-xla/compute/xla"
)

// setTF32 sets go-xla's TF32 switch for float32 dots; graphs compiled
// afterwards follow it.
func setTF32(b compute.Backend, on bool) {
	if xb, ok := b.(*goxla.Backend); ok {
		xb.DotGeneralUseTF32 = on
	}
}

func getTF32(b compute.Backend) (on, ok bool) {
	if xb, isXLA := b.(*goxla.Backend); isXLA {
		return xb.DotGeneralUseTF32, true
	}
	return false, false
}

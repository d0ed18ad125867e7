//go:build cgo && !noxla

package main

import (
	"github.com/gomlx/compute"
	goxla "github.com/gomlx/go-xla/compute/xla"
)

// goXLA adapts *goxla.Backend to xlaBackend.
type goXLA struct{ b *goxla.Backend }

func (x goXLA) TF32() bool      { return x.b.DotGeneralUseTF32 }
func (x goXLA) SetTF32(on bool) { x.b.DotGeneralUseTF32 = on }
func (x goXLA) IsCUDA() bool    { return x.b.IsCUDA() }

// asXLABackend returns nil unless b is go-xla's backend.
func asXLABackend(b compute.Backend) xlaBackend {
	if xb, ok := b.(*goxla.Backend); ok {
		return goXLA{xb}
	}
	return nil
}

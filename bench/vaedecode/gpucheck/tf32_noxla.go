//go:build !cgo || noxla

package main

import "github.com/gomlx/compute"

func setTF32(compute.Backend, bool) {}

func getTF32(compute.Backend) (on, ok bool) { return false, false }

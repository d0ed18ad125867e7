//go:build !cgo || noxla

package main

import "github.com/gomlx/compute"

// asXLABackend: without cgo there is no go-xla backend.
func asXLABackend(compute.Backend) xlaBackend { return nil }

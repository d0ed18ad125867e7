package main

// xlaBackend is what gpucheck needs from go-xla's backend beyond
// compute.Backend: its TF32 switch for f32 dots, and whether it runs on CUDA.
// Behind an interface so gpucheck also builds without cgo ("noxla").
type xlaBackend interface {
	TF32() bool
	SetTF32(on bool)
	IsCUDA() bool
}

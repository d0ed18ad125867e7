//go:build !(goexperiment.simd && amd64)

package torchrand

// Without GOEXPERIMENT=simd (or off amd64) the AVX2 kernel runs as the
// scalar emulation, with the same results.

const simdAvailable = false

func boxMullerAVX2Blocks(d []float32) { boxMullerAVX2BlocksScalar(d) }

func temperToUniform32(dst []float32, src []uint32) { temperToUniform32Scalar(dst, src) }

func twistState(s *[mtN]uint32) { twistStateScalar(s, 0) }

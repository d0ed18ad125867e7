package torchrand

import "fmt"

// Kernel selects which of PyTorch's float32 normal_fill kernels to emulate
// for randn with 16 or more float32 elements. The two agree to about 1e-7
// relative but differ in the last bit for roughly 40% of the elements, so a
// seed reproduces a diffusers image bit for bit only with the kernel of the
// machine diffusers ran on.
type Kernel int

const (
	// KernelAVX2 is PyTorch's x86-64 AVX2 kernel (also used on AVX-512
	// machines, where the normal op falls back to AVX2): Cephes logf and
	// sincosf approximations, each float32 operation rounded separately.
	// The default: typical Linux/Windows PyTorch runs and the golden
	// fixtures use it.
	KernelAVX2 Kernel = iota
	// KernelScalar is the scalar kernel of CPUs without AVX2 (aarch64 such
	// as Apple Silicon or Graviton): r = sqrtf(-2 logf(u1)),
	// θ = float32(2π·u2), r·cosf(θ), r·sinf(θ). Correctly rounded
	// logf/sinf/cosf stand in for the platform's libm, which is what glibc
	// and Apple's libm deliver for all but very rare arguments.
	KernelScalar
)

func (k Kernel) String() string {
	switch k {
	case KernelAVX2:
		return "torch-x86-avx2"
	case KernelScalar:
		return "torch-scalar"
	}
	return fmt.Sprintf("Kernel(%d)", int(k))
}

func (k Kernel) valid() bool { return k == KernelAVX2 || k == KernelScalar }

// Accelerated reports whether KernelAVX2 runs as real 8-lane AVX2/FMA code
// on this machine (amd64 built with GOEXPERIMENT=simd, CPU with AVX2 and
// FMA). Otherwise it runs as a scalar emulation with identical results,
// several times slower.
func Accelerated() bool { return simdAvailable }

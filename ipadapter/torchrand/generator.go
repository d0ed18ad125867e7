package torchrand

import "fmt"

// Generator is a PyTorch CPU generator: the MT19937 engine plus the cached
// spare normal sample that torch keeps between calls. Its methods consume
// the stream in the same order as the matching torch calls on one
// torch.Generator, so a sequence of calls gives the same numbers in Go and
// in Python.
//
// A Generator is not safe for concurrent use; torch serialises draws with a
// mutex, here the caller owns the generator.
type Generator struct {
	engine mt19937
	seed   uint64
	kernel Kernel

	// nextDouble caches the sine half of the last double Box–Muller pair
	// (torch's next_double_normal_sample), consumed by the next small
	// randn call of any dtype.
	nextDouble    float64
	hasNextDouble bool
}

// NewGenerator returns torch.Generator("cpu").manual_seed(seed) with the
// AVX2 kernel. A negative Python seed s corresponds to uint64(s).
func NewGenerator(seed uint64) *Generator {
	g := &Generator{kernel: KernelAVX2}
	g.ManualSeed(seed)
	return g
}

// ManualSeed reseeds the generator like generator.manual_seed(seed): only
// the low 32 bits feed the engine, and the cached normal sample is dropped.
func (g *Generator) ManualSeed(seed uint64) {
	g.seed = seed
	g.engine.seed(seed)
	g.hasNextDouble = false
	g.nextDouble = 0
}

// InitialSeed returns the seed given to the last ManualSeed, all 64 bits
// (generator.initial_seed()).
func (g *Generator) InitialSeed() uint64 { return g.seed }

// Kernel returns the float32 normal_fill kernel this generator emulates.
func (g *Generator) Kernel() Kernel { return g.kernel }

// SetKernel selects the float32 normal_fill kernel (see Kernel). It does not
// touch the stream.
func (g *Generator) SetKernel(k Kernel) error {
	if !k.valid() {
		return fmt.Errorf("torchrand: unknown kernel %d (use KernelAVX2 or KernelScalar)", int(k))
	}
	g.kernel = k
	return nil
}

// Clone returns an independent generator in the same state: both produce
// the same numbers from here on (like generator.clone_state()).
func (g *Generator) Clone() *Generator {
	c := *g
	return &c
}

// Uint32 draws one 32-bit word (torch's random()).
func (g *Generator) Uint32() uint32 { return g.engine.uint32() }

// Uint64 draws two words, the first one as the high half (torch's
// random64()).
func (g *Generator) Uint64() uint64 {
	hi := g.engine.uint32()
	lo := g.engine.uint32()
	return uint64(hi)<<32 | uint64(lo)
}

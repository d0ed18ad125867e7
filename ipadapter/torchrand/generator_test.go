package torchrand

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// The reference MT19937 seeded with 0 (std::mt19937(0)) starts with these
// words; torch's engine is that generator.
func TestEngineFirstWords(t *testing.T) {
	g := NewGenerator(0)
	want := []uint32{2357136044, 2546248239, 3071714933, 3626093760}
	for i, w := range want {
		if got := g.Uint32(); got != w {
			t.Errorf("word %d: got %d want %d", i, got, w)
		}
	}
	// std::mt19937 with its default seed 5489: the 10000th word is
	// 4123659995 (a value the C++ standard requires).
	g.ManualSeed(5489)
	var w uint32
	for range 10000 {
		w = g.Uint32()
	}
	if w != 4123659995 {
		t.Errorf("10000th word of seed 5489: got %d want 4123659995", w)
	}
}

func TestSeedUsesLow32Bits(t *testing.T) {
	a, _ := NewGenerator(5).Randn(40)
	b, _ := NewGenerator(1<<32 + 5).Randn(40)
	if !slices.Equal(a, b) {
		t.Error("seed 2^32+5 differs from seed 5")
	}
	if got := NewGenerator(1<<32 + 5).InitialSeed(); got != 1<<32+5 {
		t.Errorf("InitialSeed = %d, want the full 64-bit seed", got)
	}
	c, _ := NewGenerator(6).Randn(40)
	if slices.Equal(a, c) {
		t.Error("seeds 5 and 6 gave the same numbers")
	}
}

// fillUniform32 must consume the stream exactly like uint32 calls, across
// twist boundaries and for any split of the draws.
func TestBulkUniformsMatchWordByWord(t *testing.T) {
	ref := NewGenerator(123)
	bulk := NewGenerator(123)
	for _, n := range []int{0, 1, 7, 8, 9, 622, 623, 624, 625, 1000, 1248, 3001, 17} {
		got := make([]float32, n)
		bulk.engine.fillUniform32(got)
		for i := range got {
			if want := ref.uniform32(); got[i] != want {
				t.Fatalf("draw of %d, element %d: got %v want %v", n, i, got[i], want)
			}
		}
	}
	if bulk.Uint32() != ref.Uint32() {
		t.Error("streams diverged after the bulk draws")
	}
}

// Spec check values (torch_rng.md §5): the per-element double path.
func TestSmallRandnDoublePath(t *testing.T) {
	got, err := NewGenerator(0).Randn(2)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{1.54099607, -0.293428898}
	if !slices.Equal(got, want) {
		t.Errorf("seed 0 randn(2) = %v, want %v", got, want)
	}
	d, _ := NewGenerator(0).RandnFloat64(2)
	if math.Abs(d[0]-1.5409961082) > 1e-10 || math.Abs(d[1]+0.2934289058) > 1e-10 {
		t.Errorf("seed 0 float64 randn(2) = %v", d)
	}
}

// An odd small call leaves the spare Box–Muller value cached; the next
// small call returns it first, as torch does.
func TestSpareNormalIsCarriedOver(t *testing.T) {
	whole, _ := NewGenerator(9).Randn(4)
	g := NewGenerator(9)
	a, _ := g.Randn(1)
	b, _ := g.Randn(3)
	if got := append(a, b...); !slices.Equal(got, whole) {
		t.Errorf("randn(1)+randn(3) = %v, randn(4) = %v", got, whole)
	}
	// manual_seed drops the cache.
	g.ManualSeed(9)
	c, _ := g.Randn(4)
	if !slices.Equal(c, whole) {
		t.Errorf("after ManualSeed got %v want %v", c, whole)
	}
	// The cache is shared by float32 and float64 small calls.
	h := NewGenerator(9)
	h.Randn(1)
	x, _ := h.RandnFloat64(1)
	if float32(x[0]) != whole[1] {
		t.Errorf("float64 call after an odd float32 call: %v, want the cached %v", x[0], whole[1])
	}
}

// The block path draws n uniforms, then 16 fresh ones for a partial last
// block: n+16 words in all, and the outputs before the last 16 are those of
// the full blocks.
func TestBlockPathConsumption(t *testing.T) {
	g := NewGenerator(3)
	x, _ := g.Randn(20)
	ref := NewGenerator(3)
	for range 20 + 16 {
		ref.Uint32()
	}
	if g.Uint32() != ref.Uint32() {
		t.Error("randn(20) did not consume 36 words")
	}
	y, _ := NewGenerator(3).Randn(16)
	if !slices.Equal(x[:4], y[:4]) {
		t.Errorf("randn(20)[:4] = %v, randn(16)[:4] = %v", x[:4], y[:4])
	}
	if slices.Equal(x[4:16], y[4:16]) {
		t.Error("the redrawn tail block did not overwrite outputs 4..15")
	}
}

func TestCloneContinuesTheStream(t *testing.T) {
	g := NewGenerator(77)
	g.Randn(3) // leaves a cached spare value
	c := g.Clone()
	a, _ := g.Randn(5)
	b, _ := c.Randn(5)
	if !slices.Equal(a, b) {
		t.Errorf("clone gave %v, original %v", b, a)
	}
}

// torch_rng.md §5 gives seed 0 randn(16) for the scalar (non-AVX2) kernel.
func TestScalarKernel(t *testing.T) {
	g := NewGenerator(0)
	if err := g.SetKernel(KernelScalar); err != nil {
		t.Fatal(err)
	}
	got, _ := g.Randn(16)
	want := []float32{-1.12583983, -1.1523602, -0.250578582, -0.433878839, 0.848710358, 0.692009211, -0.31601277, -2.11521959,
		0.322274923, -1.26333475, 0.349983186, 0.3081339, 0.119841509, 1.2376579, 1.11677718, -0.247277647}
	if !slices.Equal(got, want) {
		t.Errorf("scalar kernel seed 0 randn(16):\n got %v\nwant %v", got, want)
	}
	if err := g.SetKernel(Kernel(9)); err == nil {
		t.Error("SetKernel accepted an unknown kernel")
	}
}

func TestRandUniform(t *testing.T) {
	g := NewGenerator(0)
	u, _ := g.Rand(3)
	want := []float32{float32(2357136044&0xFFFFFF) / (1 << 24), float32(2546248239&0xFFFFFF) / (1 << 24), float32(3071714933&0xFFFFFF) / (1 << 24)}
	if !slices.Equal(u, want) {
		t.Errorf("rand(3) = %v, want %v", u, want)
	}
	d, _ := NewGenerator(0).RandFloat64(1)
	if w := float64((uint64(2357136044)<<32|2546248239)&(1<<53-1)) / (1 << 53); d[0] != w {
		t.Errorf("float64 rand = %v, want %v", d[0], w)
	}
}

func TestBadShapes(t *testing.T) {
	g := NewGenerator(0)
	if _, err := g.Randn(2, -1); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Errorf("negative dimension: err = %v", err)
	}
	if _, err := g.Rand(1<<40, 1<<40); err == nil {
		t.Error("overflowing shape accepted")
	}
	if x, err := g.Randn(0, 4); err != nil || len(x) != 0 {
		t.Errorf("empty shape: %v, %v", x, err)
	}
}

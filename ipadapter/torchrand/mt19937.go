package torchrand

// The 32-bit Mersenne Twister exactly as PyTorch's at::mt19937 runs it. It
// is the reference MT19937 (the same stream as C++ std::mt19937); it lives
// here because the uniforms, and thus every normal sample, are built from
// its words in a fixed order.

const (
	mtN         = 624
	mtM         = 397
	mtMatrixA   = 0x9908B0DF
	mtUpperMask = 0x80000000
	mtLowerMask = 0x7FFFFFFF
)

type mt19937 struct {
	state [mtN]uint32
	left  int // words left before the next twist; 1 right after seeding
	next  int // index of the next word to temper
}

// seed initialises the state from the low 32 bits of seed, as torch does:
// at::mt19937 stores the seed in a uint64 but initialises state[0] from its
// low word only.
func (m *mt19937) seed(seed uint64) {
	m.state[0] = uint32(seed)
	for i := 1; i < mtN; i++ {
		prev := m.state[i-1]
		m.state[i] = 1812433253*(prev^(prev>>30)) + uint32(i)
	}
	m.left = 1
	m.next = 0
}

func twist(u, v uint32) uint32 {
	y := ((u & mtUpperMask) | (v & mtLowerMask)) >> 1
	if v&1 != 0 {
		y ^= mtMatrixA
	}
	return y
}

// regenerate runs the twist over the whole state, in increasing index order
// with already-updated words, the last word using the new state[0].
func (m *mt19937) regenerate() {
	twistState(&m.state)
	m.left = mtN
	m.next = 0
}

func twistStateScalar(s *[mtN]uint32, from int) {
	for k := from; k < mtN-mtM; k++ {
		s[k] = s[k+mtM] ^ twist(s[k], s[k+1])
	}
	for k := max(from, mtN-mtM); k < mtN-1; k++ {
		s[k] = s[k+mtM-mtN] ^ twist(s[k], s[k+1])
	}
	s[mtN-1] = s[mtM-1] ^ twist(s[mtN-1], s[0])
}

// uint32 returns the next tempered word (torch's random()).
func (m *mt19937) uint32() uint32 {
	m.left--
	if m.left == 0 {
		m.regenerate()
	}
	y := m.state[m.next]
	m.next++
	return temper(y)
}

func temper(y uint32) uint32 {
	y ^= y >> 11
	y ^= (y << 7) & 0x9D2C5680
	y ^= (y << 15) & 0xEFC60000
	y ^= y >> 18
	return y
}

// fillUniform32 writes the next len(dst) float32 uniforms (one word each,
// in stream order): uniform32 in a loop, minus the per-word bookkeeping,
// for the bulk draws of large tensors.
func (m *mt19937) fillUniform32(dst []float32) {
	for len(dst) > 0 {
		if m.left == 1 {
			m.regenerate()
			// uint32 decrements left before it reads, so right after a
			// twist mtN words are readable with left = mtN+1 in this
			// accounting.
			m.left = mtN + 1
		}
		n := min(m.left-1, len(dst))
		temperToUniform32(dst[:n], m.state[m.next:m.next+n])
		m.next += n
		m.left -= n
		dst = dst[n:]
	}
}

func temperToUniform32Scalar(dst []float32, src []uint32) {
	for i, y := range src {
		dst[i] = float32(temper(y)&(1<<24-1)) * inv24
	}
}

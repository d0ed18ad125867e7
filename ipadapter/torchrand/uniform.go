package torchrand

// Uniform transforms of at::uniform_real_distribution: a float32 takes the
// low 24 bits of one word, a float64 the low 53 bits of random64(); both
// are exact multiples of 2^-24 / 2^-53 in [0, 1).

const (
	inv24 = 1.0 / (1 << 24)
	inv53 = 1.0 / (1 << 53)
)

func (g *Generator) uniform32() float32 {
	return float32(g.engine.uint32()&(1<<24-1)) * inv24
}

func (g *Generator) uniform64() float64 {
	return float64(g.Uint64()&(1<<53-1)) * inv53
}

// Rand returns torch.rand(shape, generator=g) in float32: uniforms in
// [0, 1), one word per element, in row-major order.
func (g *Generator) Rand(shape ...int) ([]float32, error) {
	n, err := numel(shape)
	if err != nil {
		return nil, err
	}
	out := make([]float32, n)
	g.engine.fillUniform32(out)
	return out, nil
}

// RandFloat64 returns torch.rand(shape, generator=g, dtype=torch.float64):
// two words per element.
func (g *Generator) RandFloat64(shape ...int) ([]float64, error) {
	n, err := numel(shape)
	if err != nil {
		return nil, err
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = g.uniform64()
	}
	return out, nil
}

package torchrand

// Randn returns torch.randn(shape, generator=g) in float32, in row-major
// order, choosing torch's code path by element count: the block
// Box–Muller (normal_fill) for 16 or more elements, the per-element double
// Box–Muller (which uses and refills the generator's cached spare value)
// for fewer.
func (g *Generator) Randn(shape ...int) ([]float32, error) {
	n, err := numel(shape)
	if err != nil {
		return nil, err
	}
	out := make([]float32, n)
	g.RandnInto(out)
	return out, nil
}

// RandnInto fills out as torch.randn(len(out)) would (the shape does not
// matter, only the element count).
func (g *Generator) RandnInto(out []float32) {
	if len(out) >= blockLen {
		g.randnFill32(out)
		return
	}
	g.randnSmall32(out)
}

// RandnFloat64 returns torch.randn(shape, generator=g, dtype=torch.float64).
func (g *Generator) RandnFloat64(shape ...int) ([]float64, error) {
	n, err := numel(shape)
	if err != nil {
		return nil, err
	}
	out := make([]float64, n)
	if n >= blockLen {
		g.randnFill64(out)
	} else {
		g.randnSmall64(out)
	}
	return out, nil
}

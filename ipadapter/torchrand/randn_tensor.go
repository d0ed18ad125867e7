package torchrand

import (
	"errors"
	"fmt"
)

// RandnTensor is diffusers' randn_tensor(shape, generator, dtype=float32) on
// CPU generators, as the pipelines call it for the initial latents and the
// per-step noise:
//
//   - one generator (or a list of one): a single torch.randn(shape) call;
//   - a list of shape[0] generators: row i is torch.randn((1,)+shape[1:])
//     from gens[i], rows concatenated along dim 0 — so each row's path
//     (block or per-element) depends on the row's own size;
//   - any other count is the error diffusers raises.
//
// Without a generator diffusers uses torch's global generator, which is not
// reproducible; that is an error here.
func RandnTensor(shape []int, gens ...*Generator) ([]float32, error) {
	n, err := numel(shape)
	if err != nil {
		return nil, err
	}
	for i, g := range gens {
		if g == nil {
			return nil, fmt.Errorf("torchrand: RandnTensor: generator %d is nil", i)
		}
	}
	switch {
	case len(gens) == 0:
		return nil, errors.New("torchrand: RandnTensor needs a generator: torch's global generator is not reproducible")
	case len(gens) == 1:
		out := make([]float32, n)
		gens[0].RandnInto(out)
		return out, nil
	case len(shape) == 0 || len(gens) != shape[0]:
		batch := 1
		if len(shape) > 0 {
			batch = shape[0]
		}
		return nil, fmt.Errorf("torchrand: you have passed a list of generators of length %d, but requested an effective batch size of %d. Make sure the batch size matches the length of the generators", len(gens), batch)
	}
	out := make([]float32, n)
	row := n / shape[0]
	for i, g := range gens {
		g.RandnInto(out[i*row : (i+1)*row])
	}
	return out, nil
}

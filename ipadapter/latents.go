package ipadapter

import (
	"math/rand/v2"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/torchrand"
)

// generators returns the generators of the run: the request's own, or one
// torch.Generator("cpu").manual_seed(seed), with a random seed when the
// request gives none (diffusers then draws from torch's global generator;
// here the seed is drawn first so the metadata can name it). seed is nil
// when the caller passed generators.
func (pl *plan) generators() (gens []*torchrand.Generator, seed *uint64) {
	if len(pl.req.Generators) > 0 {
		return pl.req.Generators, nil
	}
	s := uint64(rand.Uint32()) // manual_seed keeps 32 bits; a short seed is easier to retype
	if pl.req.Seed != nil {
		s = *pl.req.Seed
	}
	return []*torchrand.Generator{torchrand.NewGenerator(s)}, &s
}

// initialLatents is prepare_latents: randn_tensor(shape, generator) ×
// init_noise_sigma, in float32 as torch multiplies a float32 tensor by the
// scheduler's float32 scalar.
func initialLatents(shape []int, gens []*torchrand.Generator, initNoiseSigma float32) ([]float32, error) {
	noise, err := torchrand.RandnTensor(shape, gens...)
	if err != nil {
		return nil, err
	}
	for i, v := range noise {
		noise[i] = v * initNoiseSigma
	}
	return noise, nil
}

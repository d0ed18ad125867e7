package loader

import (
	"context"
	"fmt"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/hub"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// probeVariant is the variant whose presence is mentioned when plain
// weights are missing: the one published repositories use.
const probeVariant = "fp16"

// pickWeights chooses and fetches a model's weights in diffusers' order.
//
// With a variant, the variant's files are looked for first. diffusers
// requests the variant only for component folders that have variant
// files (_identify_model_variants), and loads the plain files of the
// others after a deprecation warning; the same happens here, with a note.
func pickWeights(ctx context.Context, f folder, c *Component, variant string) (notes []string, err error) {
	var looked []string
	unsure := false
	find := func(v string) (string, error) {
		for _, cand := range weightCandidates(c.Library, v) {
			ok, u, err := f.has(ctx, cand)
			if err != nil {
				return "", fmt.Errorf("loader: %s: %w", c.Name, err)
			}
			looked, unsure = append(looked, cand), unsure || u
			if ok {
				return cand, nil
			}
		}
		return "", nil
	}
	if variant != "" {
		cand, err := find(variant)
		if err != nil {
			return nil, err
		}
		if cand != "" {
			return nil, fetchWeightFiles(ctx, f, c, cand, variant)
		}
		notes = append(notes, fmt.Sprintf("%s: no %q weights in %s (looked for %s); loading the plain weights instead, as diffusers does",
			c.Name, variant, f, strings.Join(looked, ", ")))
	}
	cand, err := find("")
	if err != nil {
		return nil, err
	}
	if cand != "" {
		return notes, fetchWeightFiles(ctx, f, c, cand, "")
	}
	msg := fmt.Sprintf("loader: %s: no weights in %s: looked for %s", c.Name, f, strings.Join(looked, ", "))
	if variant == "" {
		for _, alt := range weightCandidates(c.Library, probeVariant) {
			if ok, _, _ := f.has(ctx, alt); ok {
				msg += fmt.Sprintf("; it has %s: set Options.Variant to %q", alt, probeVariant)
				break
			}
		}
	}
	if unsure {
		msg += "; some could not be checked (offline, or the Hub unreachable, and not in the cache)"
	}
	return nil, fmt.Errorf("%s: %w", msg, hub.ErrEntryNotFound)
}

// fetchWeightFiles downloads the chosen weight file and, for a sharded
// checkpoint's index, every shard it names.
func fetchWeightFiles(ctx context.Context, f folder, c *Component, name, variant string) error {
	p, err := f.fetch(ctx, name)
	if err != nil {
		return fmt.Errorf("loader: %s: %w", c.Name, err)
	}
	c.WeightFiles, c.Variant = []string{p}, variant
	if !isIndex(name) {
		return nil
	}
	shards, err := weights.ShardFiles(p)
	if err != nil {
		return fmt.Errorf("loader: %s: %w", c.Name, err)
	}
	for _, s := range shards {
		sp, err := f.fetch(ctx, s)
		if err != nil {
			return fmt.Errorf("loader: %s: a shard of %s: %w", c.Name, name, err)
		}
		c.WeightFiles = append(c.WeightFiles, sp)
	}
	return nil
}

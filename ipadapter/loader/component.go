package loader

import (
	"fmt"
	"slices"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// Component is one resolved component of a pipeline: every file it needs
// is on this machine.
type Component struct {
	// Name is the model_index.json name ("unet", "image_encoder").
	Name string
	// ClassRef is the library and class that load it.
	ClassRef
	Kind Kind
	// Origin says where it came from, for messages: the repository or
	// folder and subfolder, or the single-file checkpoint.
	Origin string
	// Dir is the local folder of its files (in the hub cache's snapshot
	// for a Hub repository), the folder a model package's Load reads.
	Dir string
	// ConfigPath is its config file (config.json, scheduler_config.json,
	// preprocessor_config.json, tokenizer_config.json); "" for a tokenizer
	// without one.
	ConfigPath string
	// Files are its other files (the tokenizer's vocabulary and merges).
	Files []string
	// WeightFiles are a model's weights: one file, or a sharded
	// checkpoint's index followed by its shards, or the single-file
	// checkpoint the component is read from.
	WeightFiles []string
	// Variant is the variant of WeightFiles ("" for the plain files).
	Variant string

	open func() (weights.Source, error) // set for single-file components
}

// Source opens the component's weights under diffusers/transformers names.
// The caller closes it.
func (c *Component) Source() (weights.Source, error) {
	if c.open != nil {
		return c.open()
	}
	if len(c.WeightFiles) == 0 {
		return nil, fmt.Errorf("loader: %s (%s, from %s) has no weights", c.Name, c.Kind, c.Origin)
	}
	// weights.Open tells a sharded checkpoint's index from the weights
	// themselves and opens its shards.
	src, err := weights.Open(c.WeightFiles[0])
	if err != nil {
		return nil, fmt.Errorf("loader: %s: %w", c.Name, err)
	}
	return src, nil
}

// Pipeline is a resolved diffusers pipeline.
type Pipeline struct {
	// Source is what was resolved: a repository id, a folder, or a
	// single-file checkpoint.
	Source string
	// Dir is the local folder holding model_index.json.
	Dir string
	// Index is the pipeline's model_index.json.
	Index *ModelIndex
	// Components by model_index.json name, replacements included.
	Components map[string]*Component
	// Notes are what a user should be told: a variant that fell back to the
	// plain weights, replaced components, tensors of a single file not
	// loaded.
	Notes []string
}

// Component returns a component by name, or an error naming those there are.
func (p *Pipeline) Component(name string) (*Component, error) {
	if c, ok := p.Components[name]; ok {
		return c, nil
	}
	return nil, fmt.Errorf("loader: %s has no component %q (it has %s)", p.Source, name, strings.Join(p.Names(), ", "))
}

// Names lists the components, sorted.
func (p *Pipeline) Names() []string {
	names := make([]string, 0, len(p.Components))
	for n := range p.Components {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

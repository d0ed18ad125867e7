package loader

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/hub"
)

// weightPolicy says which weights a component resolution fetches.
type weightPolicy int

const (
	fetchWeights  weightPolicy = iota // find and download them
	noWeights                         // configs only (they come from a single file)
	cachedWeights                     // only if already on this machine (a single file's extra components)
)

// Resolve finds every file of the pipeline in repoOrDir (a Hub repository
// id or a local folder), downloading what the hub cache lacks, as
// DiffusionPipeline.from_pretrained(repoOrDir, variant=…, revision=…) does.
func Resolve(ctx context.Context, repoOrDir string, opts Options) (*Pipeline, error) {
	root := folder{repo: repoOrDir, opts: opts.Hub}
	p, err := readIndex(ctx, root)
	if err != nil {
		return nil, err
	}
	names, err := componentNames(p.Index, opts)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		c, notes, err := resolveNamed(ctx, root, p.Index, name, opts, fetchWeights)
		if err != nil {
			return nil, err
		}
		p.Components[name] = c
		p.Notes = append(p.Notes, notes...)
	}
	return p, nil
}

// readIndex reads the pipeline's model_index.json.
func readIndex(ctx context.Context, root folder) (*Pipeline, error) {
	path, err := root.fetch(ctx, "model_index.json")
	if err != nil && !errors.Is(err, hub.ErrEntryNotFound) && !errors.Is(err, os.ErrNotExist) {
		// Offline, unreachable, denied: say that, not "not a pipeline".
		return nil, fmt.Errorf("loader: reading %s's model_index.json: %w", root, err)
	}
	if err != nil {
		return nil, fmt.Errorf("loader: %s is not a diffusers pipeline (a single-file checkpoint is read with SingleFile, "+
			"a single component folder with its model package): %w", root, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("loader: %w", err)
	}
	index, err := ParseModelIndex(data)
	if err != nil {
		return nil, fmt.Errorf("loader: %s: %w", path, err)
	}
	return &Pipeline{Source: root.repo, Dir: filepath.Dir(path), Index: index, Components: map[string]*Component{}}, nil
}

// componentNames lists the components to resolve: the index's and the
// replacements', less the skipped ones. Skipping a name nobody lists is an
// error, since a misspelt name would otherwise skip nothing.
func componentNames(index *ModelIndex, opts Options) ([]string, error) {
	var names []string
	for n := range index.Components {
		names = append(names, n)
	}
	for n := range opts.Replace {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for _, s := range opts.Skip {
		if !slices.Contains(names, s) {
			return nil, fmt.Errorf("loader: Skip names %q, which the pipeline does not list (it lists %v)", s, sortedKeys(index.Components))
		}
	}
	names = slices.DeleteFunc(names, func(n string) bool { return slices.Contains(opts.Skip, n) })
	slices.Sort(names)
	return names, nil
}

// resolveNamed resolves one component, from its replacement if it has one.
func resolveNamed(ctx context.Context, root folder, index *ModelIndex, name string, opts Options, w weightPolicy) (*Component, []string, error) {
	if loc, ok := opts.Replace[name]; ok {
		f := loc.folder(opts.Hub)
		listed, isListed := index.Components[name]
		ref, err := replacementClass(ctx, f, listed, isListed)
		if err != nil {
			return nil, nil, fmt.Errorf("loader: %s: %w", name, err)
		}
		if isListed {
			want, _ := kindOf(listed)
			if got, err := kindOf(ref); err == nil && got != want {
				return nil, nil, fmt.Errorf("loader: %s: the pipeline's is a %s (%s), %s holds a %s (%s)", name, want, listed.Class, f, got, ref.Class)
			}
		}
		c, notes, err := resolveComponent(ctx, f, name, ref, loc.Variant, fetchWeights)
		if err != nil {
			return nil, nil, err
		}
		what := "instead of the pipeline's"
		if !isListed {
			what = "added to the pipeline"
		}
		return c, append(notes, fmt.Sprintf("%s: %s %s from %s", name, ref.Class, what, f)), nil
	}
	return resolveComponent(ctx, folder{repo: root.repo, sub: name, opts: root.opts}, name, index.Components[name], opts.Variant, w)
}

// resolveComponent finds a component's config, other files and weights.
func resolveComponent(ctx context.Context, f folder, name string, ref ClassRef, variant string, w weightPolicy) (*Component, []string, error) {
	kind, err := kindOf(ref)
	if err != nil {
		return nil, nil, fmt.Errorf("loader: %s: %w", name, err)
	}
	c := &Component{Name: name, ClassRef: ref, Kind: kind, Origin: f.String()}
	if kind == Tokenizer {
		if err := resolveTokenizer(ctx, f, c); err != nil {
			return nil, nil, fmt.Errorf("loader: %s: %w", name, err)
		}
	} else {
		path, err := f.fetch(ctx, configName(kind))
		if err != nil {
			return nil, nil, fmt.Errorf("loader: %s (%s %s): %w", name, ref.Library, ref.Class, err)
		}
		c.ConfigPath, c.Dir = path, filepath.Dir(path)
	}
	if kind != Model || w == noWeights {
		return c, nil, nil
	}
	if w == cachedWeights {
		f.opts.Offline = true
	}
	notes, err := pickWeights(ctx, f, c, variant)
	if err != nil && w == cachedWeights {
		return nil, nil, fmt.Errorf("%w; the single file does not hold %s either: give it with Options.Replace or leave it out with Options.Skip", err, name)
	}
	return c, notes, err
}

// fetchOptional returns a file's local path, or "" when it is absent (or
// cannot be known: offline and not cached).
func fetchOptional(ctx context.Context, f folder, name string) (string, error) {
	p, err := f.fetch(ctx, name)
	if errors.Is(err, hub.ErrEntryNotFound) || errors.Is(err, hub.ErrNotCached) {
		return "", nil
	}
	return p, err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

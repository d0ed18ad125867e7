package weights

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// multiSource is several weight files seen as one Source.
type multiSource struct {
	parts    []Source
	paths    []string
	infos    []Info
	owner    map[string]int // tensor name -> index in parts
	metadata map[string]string
}

// OpenAll opens several weight files (any format Open reads) as one Source,
// as a checkpoint split in shards is. A tensor name present in two files is
// an error naming both: silently picking one would load the wrong weights.
// Metadata is merged, the first file's value winning. Close closes them all.
func OpenAll(paths ...string) (Source, error) {
	if len(paths) == 0 {
		return nil, errors.New("OpenAll: no files given")
	}
	m := &multiSource{owner: map[string]int{}}
	for _, p := range paths {
		src, err := Open(p)
		if err != nil {
			m.Close()
			return nil, err
		}
		if err := m.add(p, src); err != nil {
			src.Close()
			m.Close()
			return nil, err
		}
	}
	sortInfos(m.infos)
	return m, nil
}

func (m *multiSource) add(p string, src Source) error {
	idx := len(m.parts)
	for _, info := range src.Infos() {
		if prev, dup := m.owner[info.Name]; dup {
			return errorf(ErrCorrupt, "tensor %q is in both %s and %s: the files are not shards of one checkpoint", info.Name, m.paths[prev], p)
		}
		m.owner[info.Name] = idx
		m.infos = append(m.infos, info)
	}
	for k, v := range src.Metadata() {
		if m.metadata == nil {
			m.metadata = map[string]string{}
		}
		if _, ok := m.metadata[k]; !ok {
			m.metadata[k] = v
		}
	}
	m.parts = append(m.parts, src)
	m.paths = append(m.paths, p)
	return nil
}

// OpenSharded opens a sharded checkpoint from its index
// (diffusion_pytorch_model.safetensors.index.json, model.safetensors.index.json,
// pytorch_model.bin.index.json): {"weight_map": {tensor name: shard file}}.
// Shards are found next to the index. Every tensor the index lists must be
// in the shard it names.
func OpenSharded(indexPath string) (Source, error) {
	weightMap, shards, err := readShardIndex(indexPath)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(indexPath)
	paths := make([]string, len(shards))
	for i, s := range shards {
		paths[i] = filepath.Join(dir, filepath.FromSlash(s))
	}
	src, err := OpenAll(paths...)
	if err != nil {
		return nil, fmt.Errorf("opening the shards of %s: %w", indexPath, err)
	}
	m := src.(*multiSource)
	for name, file := range weightMap {
		i, ok := m.owner[name]
		if !ok || m.paths[i] != filepath.Join(dir, filepath.FromSlash(file)) {
			src.Close()
			return nil, fmt.Errorf("opening %s: %w", indexPath, errorf(ErrCorrupt, "the index maps tensor %q to %s, which does not hold it: the shards do not match the index; download them again", name, file))
		}
	}
	return src, nil
}

func (m *multiSource) Infos() []Info { return slices.Clone(m.infos) }

func (m *multiSource) Info(name string) (Info, bool) {
	i, ok := m.owner[name]
	if !ok {
		return Info{}, false
	}
	return m.parts[i].Info(name)
}

func (m *multiSource) Bytes(name string) ([]byte, error) {
	i, ok := m.owner[name]
	if !ok {
		return nil, fmt.Errorf("no tensor named %q in %s", name, strings.Join(m.paths, ", "))
	}
	return m.parts[i].Bytes(name)
}

func (m *multiSource) Metadata() map[string]string { return m.metadata }

func (m *multiSource) Close() error {
	var errs []error
	for _, p := range m.parts {
		errs = append(errs, p.Close())
	}
	m.parts = nil
	return errors.Join(errs...)
}

// ShardFiles returns the shard files a sharded checkpoint's index names
// (its weight_map's values; slash-separated, sorted, each checked to be a
// file next to the index): what OpenSharded opens, for a caller that has to
// fetch them first.
func ShardFiles(indexPath string) ([]string, error) {
	_, shards, err := readShardIndex(indexPath)
	return shards, err
}

// readShardIndex reads diffusers'/transformers' *.index.json and returns its
// weight_map and the distinct shard files it names.
func readShardIndex(indexPath string) (weightMap map[string]string, shards []string, err error) {
	raw, err := os.ReadFile(indexPath)
	if err != nil {
		return nil, nil, fmt.Errorf("reading checkpoint index: %w", err)
	}
	if err := checkLFSPointer(raw); err != nil {
		return nil, nil, fmt.Errorf("reading checkpoint index %s: %w", indexPath, err)
	}
	var ix struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := json.Unmarshal(raw, &ix); err != nil {
		return nil, nil, fmt.Errorf("reading checkpoint index %s: %w", indexPath, errorf(ErrCorrupt, "malformed JSON: %v; download it again", err))
	}
	if len(ix.WeightMap) == 0 {
		return nil, nil, fmt.Errorf("reading %s: %w", indexPath, errorf(ErrUnknownFormat, "a JSON file without a \"weight_map\": not a sharded checkpoint index, and not weights"))
	}
	for name, file := range ix.WeightMap {
		if !isShardName(file) {
			return nil, nil, fmt.Errorf("reading %s: %w", indexPath, errorf(ErrCorrupt, "tensor %q is mapped to %q, which is not a file next to the index", name, file))
		}
		if !slices.Contains(shards, file) {
			shards = append(shards, file)
		}
	}
	slices.Sort(shards)
	return ix.WeightMap, shards, nil
}

// isShardName reports whether an index's shard file stays next to the index
// once joined to its folder: not empty, not absolute, no ".." segment.
func isShardName(file string) bool {
	return file != "" && !path.IsAbs(file) && !filepath.IsAbs(file) && filepath.IsLocal(filepath.FromSlash(file)) &&
		!slices.Contains(strings.Split(filepath.ToSlash(file), "/"), "..")
}

package ipadapter

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/hub"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// IPAdapterSource names IP-Adapter weight files as load_ip_adapter's
// arguments do.
type IPAdapterSource struct {
	// Repo is a Hub repository id ("h94/IP-Adapter"), a local folder laid
	// out the same way, or a single weight file (then WeightNames is empty).
	Repo string
	// Subfolder holds the weight files ("sdxl_models").
	Subfolder string
	// WeightNames are the files, one per adapter, in load order
	// ("ip-adapter_sdxl.safetensors"); .bin files work too.
	WeightNames []string
	// Revision of Repo; "" means "main".
	Revision string
	// ImageEncoderFolder is where the image encoder is loaded from when the
	// pipeline has none: a name without "/" is a folder of Subfolder, a
	// path with "/" is relative to the repository root
	// ("models/image_encoder"). "" means diffusers' default,
	// "image_encoder" (for h94's sdxl_models: the ViT-bigG/14 encoder).
	ImageEncoderFolder string
	// NoImageEncoder is diffusers' image_encoder_folder=None: no encoder
	// is loaded, so only precomputed embeddings can be used.
	NoImageEncoder bool
}

// IPAdapterSources turns load_ip_adapter's list arguments into one source
// per adapter: repos (pretrained_model_name_or_path_or_dict), subfolders
// and weightNames, the i-th of each for adapter i. A single repository or
// subfolder is used for every weight name, as diffusers broadcasts them;
// no subfolders means "" for all; other lengths are diffusers' errors. An
// empty weight name means the repository is the weight file itself. Set
// the image encoder options (ImageEncoderFolder, NoImageEncoder) on the
// first source, then pass the result to LoadIPAdapters or
// EncodeImagesWith.
func IPAdapterSources(repos, subfolders, weightNames []string) ([]IPAdapterSource, error) {
	if len(weightNames) == 0 {
		return nil, errors.New("load_ip_adapter: no weight_name given (one per adapter)")
	}
	if len(repos) == 1 {
		repos = slices.Repeat(repos, len(weightNames))
	}
	if len(subfolders) <= 1 {
		sub := ""
		if len(subfolders) == 1 {
			sub = subfolders[0]
		}
		subfolders = slices.Repeat([]string{sub}, len(weightNames))
	}
	if len(weightNames) != len(repos) {
		return nil, errors.New("`weight_name` and `pretrained_model_name_or_path_or_dict` must have the same length.")
	}
	if len(weightNames) != len(subfolders) {
		return nil, errors.New("`weight_name` and `subfolder` must have the same length.")
	}
	sources := make([]IPAdapterSource, len(weightNames))
	for i, name := range weightNames {
		sources[i] = IPAdapterSource{Repo: repos[i], Subfolder: subfolders[i]}
		if name != "" {
			sources[i].WeightNames = []string{name}
		}
	}
	return sources, nil
}

// checkSources rejects an empty list, and image encoder options on a
// source after the first that differ from the first's: they would be
// ignored, since the encoder is loaded once, with the first adapter.
func checkSources(sources []IPAdapterSource) error {
	if len(sources) == 0 {
		return errors.New("IP-Adapter: no adapter source given")
	}
	first := sources[0]
	for i, s := range sources[1:] {
		if (s.ImageEncoderFolder != "" && s.ImageEncoderFolder != first.ImageEncoderFolder) || (s.NoImageEncoder && !first.NoImageEncoder) {
			return fmt.Errorf("IP-Adapter source %d (%s) sets image encoder options the first source does not: the image encoder is loaded once, with the first adapter, so set ImageEncoderFolder or NoImageEncoder on the first source", i+1, joinRepoPath(s.Repo, s.Subfolder))
		}
	}
	return nil
}

// openedSources are the adapter files of a list of sources, open for
// reading their weights, with one provenance record per adapter.
type openedSources struct {
	files   []*adapter.File
	sources []weights.Source
	recs    []*modelRecord
}

// close closes the files' sources (once their weights are on the backend:
// the Files keep what encoding images needs).
func (o *openedSources) close() {
	for _, s := range o.sources {
		s.Close()
	}
}

// openSources resolves and opens the weight files of every source, each
// with its own revision and the options' cache, token and offline mode.
// Adapters are numbered across sources, in load order.
func openSources(ctx context.Context, sources []IPAdapterSource, o resolved) (*openedSources, error) {
	opened := &openedSources{}
	for _, src := range sources {
		if err := opened.add(ctx, src, o.hubFor(src.Revision)); err != nil {
			return opened, err
		}
	}
	return opened, nil
}

// add opens the weight files of one source. The files read their tensors
// from sources that release each tensor's mapped pages after it is
// copied, as components' weights do.
func (o *openedSources) add(ctx context.Context, src IPAdapterSource, hubOpts hub.Options) error {
	names := src.WeightNames
	if len(names) == 0 {
		if st, err := os.Stat(src.Repo); err != nil || st.IsDir() {
			return fmt.Errorf("IP-Adapter: give the weight file names to load from %s (e.g. ip-adapter_sdxl.safetensors)", joinRepoPath(src.Repo, src.Subfolder))
		}
		names = []string{""} // the repository is the file itself
	}
	root := localRoot(src.Repo)
	for _, name := range names {
		i := len(o.files)
		rel := joinRepoPath(src.Subfolder, name)
		f, s, local, err := openAdapterFile(ctx, src.Repo, rel, hubOpts)
		if s != nil {
			o.sources = append(o.sources, s)
		}
		if err != nil {
			return fmt.Errorf("IP-Adapter %d: %w", i, err)
		}
		o.files = append(o.files, f)
		o.recs = append(o.recs, newModelRecord(fmt.Sprintf("ip_adapter.%d", i), joinRepoPath(src.Repo, rel), src.Revision, []string{local}, root))
	}
	return nil
}

// openAdapterFile fetches and opens one adapter file (.safetensors or .bin).
func openAdapterFile(ctx context.Context, repo, rel string, hubOpts hub.Options) (*adapter.File, weights.Source, string, error) {
	local, err := fetchRepoFile(ctx, repo, rel, hubOpts)
	if err != nil {
		return nil, nil, "", err
	}
	raw, err := weights.Open(local)
	if err != nil {
		return nil, nil, local, fmt.Errorf("%s: %w", local, err)
	}
	s := newReleasingSource(raw)
	f, err := adapter.FromSource(filepath.Base(local), s)
	return f, s, local, err
}

package ipadapter

import (
	"context"
	"os"
	"slices"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/loader"
)

// ModelInfo says where one loaded component's weights came from, for the
// metadata that makes a result reproducible.
type ModelInfo struct {
	// Component is the pipeline part: "unet", "vae", "text_encoder",
	// "text_encoder_2", "image_encoder", "ip_adapter.<i>", or "checkpoint"
	// for a single-file checkpoint holding several of them.
	Component string `json:"component"`
	// Source is the Hub repository id or local path, with the subfolder.
	Source string `json:"source"`
	// Revision is the revision asked for, Commit the Hub commit the files
	// were read at (empty for local folders).
	Revision string     `json:"revision,omitempty"`
	Commit   string     `json:"commit,omitempty"`
	Files    []FileInfo `json:"files"`
}

// modelRecord is a ModelInfo whose file hashes are computed in the
// background from load time on, so hashing overlaps with compiling and
// denoising instead of delaying the first result.
type modelRecord struct {
	info ModelInfo
	done chan struct{}
	errs []error // hashing failures (unreadable files), reported as warnings
}

// newModelRecord describes a component read from local files and starts
// hashing them. root is the local folder the files' names are relative to
// ("" for files of the Hub cache or given by path).
func newModelRecord(component, source, revision string, paths []string, root string) *modelRecord {
	r := &modelRecord{
		info: ModelInfo{Component: component, Source: source, Revision: revision},
		done: make(chan struct{}),
	}
	for _, p := range paths {
		fi := FileInfo{Name: repoFileName(p, root)}
		if st, err := os.Stat(p); err == nil {
			fi.Size = st.Size()
		}
		if r.info.Commit == "" {
			r.info.Commit = commitOf(p)
		}
		r.info.Files = append(r.info.Files, fi)
	}
	go func() {
		defer close(r.done)
		for i, p := range paths {
			h, err := fileSHA256(p)
			if err != nil {
				r.errs = append(r.errs, err)
				continue
			}
			r.info.Files[i].SHA256 = h
		}
	}()
	return r
}

// wait returns the completed ModelInfo (a copy), or ctx's error.
func (r *modelRecord) wait(ctx context.Context) (ModelInfo, []error, error) {
	select {
	case <-r.done:
	case <-ctx.Done():
		return ModelInfo{}, nil, ctx.Err()
	}
	info := r.info
	info.Files = slices.Clone(info.Files)
	return info, r.errs, nil
}

// provenanceOf records where a resolved pipeline's weights come from: one
// record per component (the image encoder's apart, since the metadata
// names it only for runs that encode images), and a single "checkpoint"
// record for the components a single-file checkpoint holds.
func provenanceOf(lp *loader.Pipeline, o resolved) (records []*modelRecord, image *modelRecord) {
	replaced := o.loaderOptions().Replace
	fromCheckpoint := false
	for _, name := range lp.Names() {
		c := lp.Components[name]
		if len(c.WeightFiles) == 0 {
			continue // tokenizers, scheduler, feature extractor
		}
		if c.WeightFiles[0] == lp.Source {
			fromCheckpoint = true
			continue
		}
		rev := o.Hub.Revision
		if loc, ok := replaced[name]; ok {
			rev = loc.Revision
		}
		rec := newModelRecord(name, c.Origin, rev, c.WeightFiles, lp.Dir)
		if name == "image_encoder" {
			image = rec
			continue
		}
		records = append(records, rec)
	}
	if fromCheckpoint {
		records = append([]*modelRecord{newModelRecord("checkpoint", lp.Source, "", []string{lp.Source}, "")}, records...)
	}
	return records, image
}

package ipadapter

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/loader"
)

// encoderChange is what loading adapters does to the pipeline's image
// encoder, decided (and a new encoder loaded) before anything changes, so
// that a failed load can leave the old one in place.
type encoderChange struct {
	replace bool                // install enc, closing the current encoder
	enc     *clip.VisionEncoder // nil with replace: no encoder
	rec     *modelRecord
}

// discard frees a new encoder that will not be installed.
func (c encoderChange) discard() {
	if c.enc != nil {
		c.enc.Close()
	}
}

// chooseImageEncoder decides which encoder the adapters of files get:
//   - the pipeline's, when it fits them (diffusers never replaces it);
//   - when it does not fit: an error if the user chose it (the pipeline's
//     own, or Options.ImageEncoder); if an earlier load took it from the
//     adapters' repository, the one src names, as with no encoder;
//   - with no encoder, the one src names (its config is checked before its
//     weights are downloaded, so a wrong choice costs no gigabytes), or
//     none with NoImageEncoder.
func (p *Pipeline) chooseImageEncoder(ctx context.Context, src IPAdapterSource, files []*adapter.File) (encoderChange, error) {
	if p.image != nil {
		err := checkEncoder(files, p.image.Model.Config)
		switch {
		case err == nil:
			return encoderChange{}, nil
		case !p.imageForAdapters:
			return encoderChange{}, fmt.Errorf("the pipeline's image encoder does not fit: %w (it was chosen with the pipeline, so it is kept: load the pipeline with Options.ImageEncoder naming the right one, or call UnloadIPAdapter, which drops the encoder, before loading this adapter)", err)
		}
	}
	if src.NoImageEncoder {
		// An encoder loaded for the previous adapters that does not fit
		// these is of no use to them.
		return encoderChange{replace: p.image != nil}, nil
	}
	c, loc, err := resolveAdapterEncoder(ctx, src, files, p.opts)
	if err != nil {
		return encoderChange{}, err
	}
	e, err := newImageEncoder(c, p.opts)
	if err != nil {
		return encoderChange{}, err
	}
	return encoderChange{replace: true, enc: e, rec: newModelRecord("image_encoder", c.Origin, loc.Revision, c.WeightFiles, localRoot(loc.Repo))}, nil
}

// useImageEncoder installs the encoder chosen for adapters that loaded.
func (p *Pipeline) useImageEncoder(c encoderChange) {
	if !c.replace {
		return
	}
	p.closeImageEncoder()
	p.image, p.imageRec, p.imageForAdapters = c.enc, c.rec, c.enc != nil
}

// closeImageEncoder frees the image encoder, keeping its compilation count.
func (p *Pipeline) closeImageEncoder() {
	if p.image != nil {
		p.retired.ImageEncoder += p.image.Compilations()
		p.image.Close()
	}
	p.image, p.imageRec, p.imageForAdapters = nil, nil, false
}

// resolveAdapterEncoder finds the image encoder src names
// (load_ip_adapter's image_encoder_folder), checking its config against
// the adapters before its weights are fetched.
func resolveAdapterEncoder(ctx context.Context, src IPAdapterSource, files []*adapter.File, o resolved) (*loader.Component, loader.Location, error) {
	folder := imageEncoderFolder(src)
	loc := loader.Location{Repo: src.Repo, Subfolder: folder, Revision: src.Revision}
	cfgPath, err := fetchRepoFile(ctx, src.Repo, joinRepoPath(folder, "config.json"), o.hubFor(src.Revision))
	if err != nil {
		return nil, loc, fmt.Errorf("loading the IP-Adapter image encoder (choose one with IPAdapterSource.ImageEncoderFolder or Options.ImageEncoder): %w", err)
	}
	cfg, err := clip.ReadVisionConfig(filepath.Dir(cfgPath))
	if err != nil {
		return nil, loc, err
	}
	if err := checkEncoder(files, cfg); err != nil {
		return nil, loc, fmt.Errorf("the image encoder in %s does not fit: %w (choose another with IPAdapterSource.ImageEncoderFolder, e.g. \"models/image_encoder\" for h94's _vit-h adapters)", joinRepoPath(src.Repo, folder), err)
	}
	c, _, err := loader.ResolveStandalone(ctx, "image_encoder", loc, o.Hub)
	return c, loc, err
}

// checkEncoder checks an image encoder config against every adapter file.
func checkEncoder(files []*adapter.File, cfg clip.VisionConfig) error {
	var errs []error
	for _, f := range files {
		errs = append(errs, f.CheckEncoder(cfg))
	}
	return errors.Join(errs...)
}

// imageEncoderFolder resolves image_encoder_folder as diffusers does.
func imageEncoderFolder(src IPAdapterSource) string {
	f := src.ImageEncoderFolder
	if f == "" {
		f = "image_encoder"
	}
	if strings.Contains(f, "/") {
		return f
	}
	return joinRepoPath(src.Subfolder, f)
}

// localRoot is repo when it is a local folder (file names in the metadata
// are relative to it), else "".
func localRoot(repo string) string {
	if st, err := os.Stat(repo); err == nil && st.IsDir() {
		return repo
	}
	return ""
}

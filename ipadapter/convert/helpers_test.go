package convert

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/vae"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// infoSource is a weights.Source with names, shapes and dtypes only, for
// mapping full-size checkpoints without their data.
type infoSource struct {
	infos []weights.Info
	data  map[string][]byte // optional contents
}

func newInfoSource(infos ...weights.Info) *infoSource {
	s := &infoSource{infos: slices.Clone(infos), data: map[string][]byte{}}
	slices.SortFunc(s.infos, func(a, b weights.Info) int { return strings.Compare(a.Name, b.Name) })
	return s
}

func (s *infoSource) Infos() []weights.Info { return slices.Clone(s.infos) }

func (s *infoSource) Info(name string) (weights.Info, bool) {
	for _, i := range s.infos {
		if i.Name == name {
			return i, true
		}
	}
	return weights.Info{}, false
}

func (s *infoSource) Bytes(name string) ([]byte, error) {
	if b, ok := s.data[name]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("infoSource: %q has no data", name)
}

func (s *infoSource) Metadata() map[string]string { return nil }
func (s *infoSource) Close() error                { return nil }

// folderConfigs reads the configs of a diffusers SDXL folder.
func folderConfigs(t *testing.T, dir string) SGMConfigs {
	t.Helper()
	u, err := unet.LoadConfig(filepath.Join(dir, "unet", "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := vae.ReadConfig(filepath.Join(dir, "vae", "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	te, err := clip.ReadTextConfig(filepath.Join(dir, "text_encoder"))
	if err != nil {
		t.Fatal(err)
	}
	te2, err := clip.ReadTextConfig(filepath.Join(dir, "text_encoder_2"))
	if err != nil {
		t.Fatal(err)
	}
	return SGMConfigs{UNet: u, VAE: v, TextEncoder: te, TextEncoder2: te2}
}

// modelSpecs builds each component's model from its config (no weights)
// and returns its parameter list.
func modelSpecs(t *testing.T, cfg SGMConfigs) map[string][]nn.Spec {
	t.Helper()
	u, err := unet.Build(cfg.UNet)
	if err != nil {
		t.Fatal(err)
	}
	v, err := vae.NewAutoencoderKL(cfg.VAE)
	if err != nil {
		t.Fatal(err)
	}
	te, err := clip.NewTextModel(cfg.TextEncoder)
	if err != nil {
		t.Fatal(err)
	}
	te2, err := clip.NewTextModel(cfg.TextEncoder2)
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]nn.Spec{UNet: u.Specs(), VAE: v.Specs(), TextEncoder: te.Specs(), TextEncoder2: te2.Specs()}
}

// checkAgainstModels requires every component view to hold exactly the
// parameters (names and shapes) of the model its config builds, and every
// tensor of the file to be used by a view, ignored or nothing else.
func checkAgainstModels(t *testing.T, cfg SGMConfigs, src weights.Source, split *SGMSplit) {
	t.Helper()
	specs := modelSpecs(t, cfg)
	used := map[string]bool{}
	for _, c := range []string{UNet, VAE, TextEncoder, TextEncoder2} {
		v, ok := split.Components[c]
		if !ok {
			t.Errorf("no %s in the split", c)
			continue
		}
		unused, err := nn.CheckSpecs(specs[c], v)
		if err != nil {
			t.Errorf("%s: %v", c, err)
		}
		if len(unused) > 0 {
			t.Errorf("%s: %d mapped tensors the model does not have: %v", c, len(unused), unused[:min(len(unused), 5)])
		}
		for _, info := range v.Infos() {
			o, _ := v.Origin(info.Name)
			used[o.From] = true
		}
	}
	for _, n := range split.Ignored {
		used[n] = true
	}
	for _, name := range weights.Names(src) {
		if !used[name] {
			t.Errorf("tensor %s is neither mapped nor ignored", name)
		}
	}
	if len(split.Unknown) > 0 {
		t.Errorf("unknown tensors: %v", split.Unknown)
	}
}

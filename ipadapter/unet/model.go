package unet

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/errtext"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// WeightFiles are the checkpoint names Load looks for in a component
// folder, in order of preference.
var WeightFiles = []string{"diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.fp16.safetensors"}

// Model is a UNet ready to run: its structure, its weights on a backend,
// and the graphs compiled so far (one per input signature and shapes; the
// timestep, IP scales and masks are inputs, so a whole denoising loop or a
// scale sweep reuses one compiled graph).
type Model struct {
	unet    *UNet
	backend compute.Backend
	store   *model.Store
	opts    nn.Options
	execs   *nn.ExecCache // keyed by signature
}

// Load reads a diffusers "unet" folder: config.json and
// diffusion_pytorch_model.safetensors (or the .fp16 variant). Weights keep
// the checkpoint's dtype; graphs compute in opts.DType.
func Load(dir string, backend compute.Backend, opts nn.Options) (*Model, error) {
	cfg, err := LoadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, err
	}
	src, path, err := weights.OpenFirstSafetensors(dir, WeightFiles)
	if err != nil {
		return nil, fmt.Errorf("unet: %w", err)
	}
	defer src.Close()
	m, err := New(cfg, src, backend, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// New builds the UNet of cfg and loads its weights from src, which must
// have exactly the parameters the config describes (names and shapes).
func New(cfg Config, src weights.Source, backend compute.Backend, opts nn.Options) (*Model, error) {
	if backend == nil {
		return nil, errors.New("unet: no backend")
	}
	u, err := Build(cfg)
	if err != nil {
		return nil, err
	}
	store, unused, err := nn.Load(u.Specs(), src, backend, dtypes.InvalidDType)
	if err != nil {
		return nil, fmt.Errorf("unet: %w", err)
	}
	if len(unused) > 0 {
		return nil, fmt.Errorf("unet: the checkpoint has %d tensors the config does not describe (%s); is it the right config?",
			len(unused), errtext.AbbreviateList(unused, 4))
	}
	return NewFromStore(u, store, backend, opts), nil
}

// NewFromStore wraps weights already in a store (for example random weights
// for benchmarks) with the UNet structure u.
func NewFromStore(u *UNet, store *model.Store, backend compute.Backend, opts nn.Options) *Model {
	if opts.DType == dtypes.InvalidDType {
		opts.DType = dtypes.Float32
	}
	return &Model{unet: u, backend: backend, store: store, opts: opts, execs: nn.NewExecCache("unet", backend, store, opts)}
}

// UNet returns the model's structure.
func (m *Model) UNet() *UNet { return m.unet }

// Store returns the weights; IP-Adapter weights are added to it (IPSpecs,
// nn.AddToStore). Call ForgetCompiled after changing weights that compiled
// graphs used.
func (m *Model) Store() *model.Store { return m.store }

// Backend returns the backend the weights live on.
func (m *Model) Backend() compute.Backend { return m.backend }

// Options returns the graph-building options.
func (m *Model) Options() nn.Options { return m.opts }

// Compilations counts the graphs built so far (a test checks that changing
// timesteps, scales or masks does not add any).
func (m *Model) Compilations() int { return m.execs.Compilations() }

// ForgetCompiled drops every compiled graph: the next call compiles again
// with the store's current weights (on the pure-Go backend weights are
// compiled into the graph as constants).
func (m *Model) ForgetCompiled() { m.execs.Forget() }

// Close frees the compiled graphs; the Model must not be used afterwards.
func (m *Model) Close() { m.execs.Close() }

package wire

import "encoding/json"

// LoadRequest loads a pipeline under a name: ipadapter.FromPretrained, or
// FromSingleFile when SingleFile is set. Loading the same name again with
// the same arguments returns the loaded pipeline (every notebook cell is a
// new process, so a notebook asks again each time it runs).
type LoadRequest struct {
	// Name identifies the pipeline in later calls; "" means "default".
	Name string `json:"name"`
	// Model is a Hub repository id or a local diffusers folder, or with
	// SingleFile a checkpoint file (local path or Hub file URL).
	Model      string `json:"model"`
	SingleFile bool   `json:"single_file,omitempty"`
	// Config is FromSingleFile's config repository ("" = SDXL base).
	Config string `json:"config,omitempty"`
	// Variant selects weight files ("fp16").
	Variant string `json:"variant,omitempty"`
	// DType is the compute dtype ("float32", "float16", "bfloat16"); ""
	// means the backend's default.
	DType string `json:"dtype,omitempty"`
	// Revision of a Hub repository; Offline never touches the network.
	Revision string `json:"revision,omitempty"`
	Offline  bool   `json:"offline,omitempty"`
	// VAE and ImageEncoder replace components (Options.VAE,
	// Options.ImageEncoder).
	VAE          ComponentRef `json:"vae,omitzero"`
	ImageEncoder ComponentRef `json:"image_encoder,omitzero"`
	// Reload forces a fresh load even when the arguments are unchanged.
	Reload bool `json:"reload,omitempty"`
}

// ComponentRef names a component stored on its own.
type ComponentRef struct {
	Repo      string `json:"repo,omitempty"`
	Subfolder string `json:"subfolder,omitempty"`
	Revision  string `json:"revision,omitempty"`
}

// AdapterRequest loads IP-Adapters into a pipeline
// (Pipeline.LoadIPAdapterFrom), replacing the loaded ones. Adapters that
// read another image encoder than the one the previous adapters brought
// (ViT-H after ViT-bigG) get theirs in its place; an encoder the pipeline
// was loaded with is kept, and adapters that cannot read it are refused.
// A load that fails leaves the previous adapters loaded. Asking again for
// the same files keeps the loaded adapters (and their compiled graphs).
type AdapterRequest struct {
	Repo               string   `json:"repo"`
	Subfolder          string   `json:"subfolder,omitempty"`
	WeightNames        []string `json:"weight_names,omitempty"`
	Revision           string   `json:"revision,omitempty"`
	ImageEncoderFolder string   `json:"image_encoder_folder,omitempty"`
	NoImageEncoder     bool     `json:"no_image_encoder,omitempty"`
	Reload             bool     `json:"reload,omitempty"`
}

// ScaleRequest is set_ip_adapter_scale's argument written as JSON: 0.6,
// [0.7, 0.3], [[0.7, 0.7]], {"up": {"block_0": [0.0, 1.0, 0.0]}}.
type ScaleRequest struct {
	Scale json.RawMessage `json:"scale"`
}

// SchedulerRequest swaps the scheduler (Pipeline.SetScheduler): a diffusers
// class name and config overrides with diffusers' keys
// ({"use_karras_sigmas": true}).
type SchedulerRequest struct {
	Class     string          `json:"class"`
	Overrides json.RawMessage `json:"overrides,omitempty"`
}

// PipelineInfo describes a loaded pipeline.
type PipelineInfo struct {
	Name string      `json:"name"`
	Load LoadRequest `json:"load"`
	// Reused is set when a load request found the pipeline already loaded.
	Reused        bool            `json:"reused,omitempty"`
	LoadSeconds   float64         `json:"load_seconds"`
	Adapters      *AdapterRequest `json:"adapters,omitempty"`
	NumAdapters   int             `json:"num_adapters"`
	Scale         json.RawMessage `json:"scale,omitempty"`
	Scheduler     string          `json:"scheduler"`
	DefaultHeight int             `json:"default_height"`
	DefaultWidth  int             `json:"default_width"`
	Notes         []string        `json:"notes,omitempty"`
	// Generations counts the generate and attention calls served; Busy
	// is set while one runs.
	Generations int  `json:"generations"`
	Busy        bool `json:"busy,omitempty"`
	// Compilations counts the graphs each component compiled so far.
	Compilations Compilations `json:"compilations"`
	// StepSeconds are the mean seconds per denoising step of the first
	// generation (which includes compiling) and of the last one.
	FirstStepSeconds float64 `json:"first_step_seconds,omitempty"`
	LastStepSeconds  float64 `json:"last_step_seconds,omitempty"`
}

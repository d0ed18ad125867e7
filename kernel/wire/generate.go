package wire

import "encoding/json"

// GenerateRequest is ipadapter.Request as JSON. A prompt list with one
// entry is Python's str, several a list, none None.
type GenerateRequest struct {
	Prompt          []string `json:"prompt"`
	Prompt2         []string `json:"prompt_2,omitempty"`
	NegativePrompt  []string `json:"negative_prompt,omitempty"`
	NegativePrompt2 []string `json:"negative_prompt_2,omitempty"`
	ClipSkip        int      `json:"clip_skip,omitempty"`

	// IPAdapterImages are PNG files, one list per loaded adapter.
	IPAdapterImages [][][]byte `json:"ip_adapter_images,omitempty"`
	// IPAdapterImageEmbeds replace the images (from /v1/embeds).
	IPAdapterImageEmbeds []*Embeds `json:"ip_adapter_image_embeds,omitempty"`
	// IPAdapterMasks are mask PNGs, one list per adapter (one mask per
	// reference image; nil for an unmasked adapter), preprocessed by the
	// backend for the request's size (ipadapter.PreprocessMasks).
	IPAdapterMasks [][][]byte `json:"ip_adapter_masks,omitempty"`
	// IPAdapterWindows are each adapter's [start, end] fractions of the
	// steps; nil means always.
	IPAdapterWindows [][2]float64 `json:"ip_adapter_windows,omitempty"`
	// IPAdapterScale, when set, is applied (as /v1/scale) before
	// generating, under the same lock, so a sweep from several cells
	// cannot interleave scales and generations. It stays set afterwards.
	IPAdapterScale json.RawMessage `json:"ip_adapter_scale,omitempty"`

	Height             int     `json:"height,omitempty"`
	Width              int     `json:"width,omitempty"`
	NumInferenceSteps  int     `json:"num_inference_steps,omitempty"`
	GuidanceScale      float64 `json:"guidance_scale,omitempty"`
	GuidanceRescale    float64 `json:"guidance_rescale,omitempty"`
	NumImagesPerPrompt int     `json:"num_images_per_prompt,omitempty"`
	Eta                float64 `json:"eta,omitempty"`
	Seed               *uint64 `json:"seed,omitempty"`

	OriginalSize               [2]int `json:"original_size,omitzero"`
	TargetSize                 [2]int `json:"target_size,omitzero"`
	CropsCoordsTopLeft         [2]int `json:"crops_coords_top_left,omitzero"`
	NegativeOriginalSize       [2]int `json:"negative_original_size,omitzero"`
	NegativeTargetSize         [2]int `json:"negative_target_size,omitzero"`
	NegativeCropsCoordsTopLeft [2]int `json:"negative_crops_coords_top_left,omitzero"`

	// OutputType is "pil" (PNG images, the default), "np" or "latent".
	OutputType string `json:"output_type,omitempty"`
	// PreviewEvery > 0 sends a preview picture with every n-th progress
	// event (Progress.Preview: latent resolution, cheap).
	PreviewEvery int `json:"preview_every,omitempty"`
	// SaveDir, when set, makes the backend also save each image there as a
	// PNG with its metadata (Result.SavePNGs), named SavePrefix-<i>.png.
	SaveDir    string `json:"save_dir,omitempty"`
	SavePrefix string `json:"save_prefix,omitempty"`
}

// Event is one line of a streamed answer: progress events, then exactly
// one result or error.
type Event struct {
	Progress *Progress `json:"progress,omitempty"`
	Download *Download `json:"download,omitempty"`
	// The final event: one of these.
	Result    *GenerateResult  `json:"result,omitempty"`
	Attention *AttentionResult `json:"attention,omitempty"`
	Pipeline  *PipelineInfo    `json:"pipeline,omitempty"`
	Error     string           `json:"error,omitempty"`
}

// Download reports a Hub download while loading (files already in the
// cache report nothing).
type Download struct {
	// File is the file's path in its repository
	// ("unet/diffusion_pytorch_model.fp16.safetensors").
	File  string `json:"file,omitempty"`
	Done  int64  `json:"done"`
	Total int64  `json:"total"`
}

// Progress is ipadapter.Progress without the arrays.
type Progress struct {
	Step           int     `json:"step"`
	Total          int     `json:"total"`
	Timestep       float64 `json:"timestep"`
	ElapsedSeconds float64 `json:"elapsed_seconds"`
	ETASeconds     float64 `json:"eta_seconds"`
	// Preview is a PNG of the first image's predicted result at this step
	// (latent resolution), when the request asked for previews.
	Preview []byte `json:"preview,omitempty"`
}

// GenerateResult is ipadapter.Result as JSON.
type GenerateResult struct {
	// Images are PNGs without metadata (OutputType "pil").
	Images [][]byte `json:"images,omitempty"`
	// NP or Latents for the other output types.
	NP      *Array `json:"np,omitempty"`
	Latents *Array `json:"latents,omitempty"`
	// Metadata is ipadapter.Metadata as the library writes it to PNGs;
	// Parameters its one-paragraph summary.
	Metadata   json.RawMessage `json:"metadata"`
	Parameters string          `json:"parameters"`
	Warnings   []string        `json:"warnings,omitempty"`
	// Saved are the files written when the request gave SaveDir.
	Saved   []string `json:"saved,omitempty"`
	Seconds float64  `json:"seconds"`
}

// EmbedsRequest encodes reference images once (EncodeIPAdapterImages):
// one list of PNGs per loaded adapter.
type EmbedsRequest struct {
	Images [][][]byte `json:"images"`
}

// EmbedsResult holds one entry per adapter.
type EmbedsResult struct {
	Embeds []*Embeds `json:"embeds"`
}

// Embeds is adapter.ImageEmbeds: one adapter's embeddings of N images.
type Embeds struct {
	Shape    []int  `json:"shape"`
	Positive Floats `json:"positive"`
	Negative Floats `json:"negative,omitempty"`
	Kind     string `json:"kind,omitempty"`
	Encoder  string `json:"encoder,omitempty"`
}

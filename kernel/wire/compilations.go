package wire

// Compilations is ipadapter.Compilations: how many graphs each component
// of a pipeline compiled so far. Scales, masks, seeds and timesteps are
// graph inputs, so a sweep over them leaves these counts unchanged after
// its first generation; a new image size, batch or adapter layout, or
// attention maps (a capturing UNet graph), add to them.
type Compilations struct {
	UNet int `json:"unet"`
	// TextEncoders has one count per text encoder (text_encoder,
	// text_encoder_2).
	TextEncoders    []int `json:"text_encoders,omitempty"`
	ImageEncoder    int   `json:"image_encoder"`
	ImageProjection int   `json:"image_projection"`
	VAE             int   `json:"vae"`
	// Total is the sum of every count.
	Total int `json:"total"`
}

package wire

// AttentionRequest generates as Generate does and also returns the
// cross-attention (attn2) maps of one UNet call of that run, captured by
// the pipeline itself (ipadapter.Request.AttentionMaps): the conditional
// half of the batch at denoising step Step.
type AttentionRequest struct {
	Generate GenerateRequest `json:"generate"`
	// Step is the denoising step whose UNet call is captured, 1-based;
	// 0 means the middle step.
	Step int `json:"step,omitempty"`
	// Layers are attn2 module names; empty means every attn2 layer.
	Layers []string `json:"layers,omitempty"`
	// Image is the image of the batch whose maps are returned.
	Image int `json:"image,omitempty"`
}

// AttentionResult is the generation's result plus the maps.
type AttentionResult struct {
	Result *GenerateResult `json:"result"`
	// Step, Total and Timestep locate the captured UNet call.
	Step     int     `json:"step"`
	Total    int     `json:"total"`
	Timestep float64 `json:"timestep"`
	// TextTokens label the text maps' keys: the first tokenizer's tokens
	// of the prompt, start and end tokens included. The padding after the
	// end token is left out of the maps (it holds attention too, so a
	// text map's rows do not sum to 1).
	TextTokens []string `json:"text_tokens"`
	// Layers holds the maps of every requested layer, in the UNet's
	// attn_processors order.
	Layers []LayerMaps `json:"layers"`
}

// LayerMaps are one attn2 layer's attention maps, averaged over heads.
// A map is token-major: Data[k*Height*Width + y*Width + x] is the share of
// attention latent pixel (y, x) of the layer's resolution gives key k.
type LayerMaps struct {
	Name  string `json:"name"`
	Level int    `json:"level"`
	Heads int    `json:"heads"`
	// Height and Width are the layer's query grid (the latent size halved
	// Level times).
	Height int `json:"height"`
	Width  int `json:"width"`
	// Text has one map per TextTokens entry.
	Text *Map `json:"text"`
	// IP has the maps over each adapter's image tokens: one softmax over
	// all its images' tokens, or (masked adapters) one per image.
	IP []IPMap `json:"ip,omitempty"`
}

// Map is Keys maps of Height×Width values each, token-major.
type Map struct {
	Keys int    `json:"keys"`
	Data Floats `json:"data"`
}

// IPMap is the attention of one layer to one adapter's image tokens.
type IPMap struct {
	Adapter int `json:"adapter"`
	// Image is the reference image of a masked adapter, −1 otherwise.
	Image int `json:"image"`
	// Scale is the adapter's scale on this layer at the captured step
	// (per image for masked adapters; its window applied): the weight the
	// image branch is added with.
	Scale float64 `json:"scale"`
	Map
}

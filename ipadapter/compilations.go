package ipadapter

// UNetCompilations is the number of UNet graphs compiled so far, the cost a
// sweep must pay once: scales, masks, windows, timesteps and seeds are graph
// inputs, so only a new shape (size, batch, adapters, images) adds one
// (Compilations has every component's count). Do not call it from
// Request.Progress (the running generation holds the pipeline).
func (p *Pipeline) UNetCompilations() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.unet == nil {
		return 0
	}
	return p.unet.Compilations()
}

// Compilations counts the graphs each component of a pipeline compiled so
// far, for claims such as "a scale sweep compiles once": compare two
// counts. Every count only grows: graphs of an image encoder or of
// adapters since replaced or unloaded stay counted.
type Compilations struct {
	// UNet counts every UNet graph: one per input shape and adapter/mask
	// layout, and one more per set of attention maps captured
	// (Request.AttentionMaps).
	UNet int
	// TextEncoders has one count per text encoder, in diffusers' order
	// (text_encoder, text_encoder_2): one graph per output selection and
	// batch shape.
	TextEncoders []int
	// ImageEncoder counts the IP-Adapter image encoder's graphs (one per
	// output selection and number of images).
	ImageEncoder int
	// ImageProjection counts the adapters' image projection graphs (one per
	// request shape: batch and images per adapter).
	ImageProjection int
	// VAE counts the VAE's decode graphs (one per latent shape; none for
	// latent output).
	VAE int
}

// Total is the sum of every count.
func (c Compilations) Total() int {
	n := c.UNet + c.ImageEncoder + c.ImageProjection + c.VAE
	for _, t := range c.TextEncoders {
		n += t
	}
	return n
}

// Compilations returns the pipeline's compilation counts. Like
// UNetCompilations, do not call it from Request.Progress.
func (p *Pipeline) Compilations() Compilations {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.retired
	if p.unet == nil {
		return c
	}
	c.UNet = p.unet.Compilations()
	if p.vae != nil {
		c.VAE = p.vae.Compilations()
	}
	for _, e := range p.text.Encoders {
		c.TextEncoders = append(c.TextEncoders, e.Compilations())
	}
	if p.image != nil {
		c.ImageEncoder += p.image.Compilations()
	}
	if p.adapters != nil {
		c.ImageProjection += p.adapters.Projector().Compilations()
	}
	return c
}

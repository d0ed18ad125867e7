package ipadapter

// UNetCompilations is the number of UNet graphs compiled so far, the cost a
// sweep must pay once: scales, masks, windows, timesteps and seeds are graph
// inputs, so only a new shape (size, batch, adapters, images) adds one. The
// command-line sweep reports it. Do not call it from Request.Progress (the
// running generation holds the pipeline).
func (p *Pipeline) UNetCompilations() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.unet == nil {
		return 0
	}
	return p.unet.Compilations()
}

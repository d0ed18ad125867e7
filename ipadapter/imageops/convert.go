package imageops

// DropAlpha is Pillow's convert("RGB"): L is replicated, RGBA loses its
// alpha channel with no compositing (what transformers 4.x's
// convert_to_rgb and diffusers' load_image do).
func DropAlpha(p *Pixels) *Pixels {
	if p.Channels == 3 {
		return p
	}
	out := NewPixels(p.W, p.H, 3)
	for i := range p.W * p.H {
		if p.Channels == 1 {
			v := p.Pix[i]
			out.Pix[3*i], out.Pix[3*i+1], out.Pix[3*i+2] = v, v, v
			continue
		}
		copy(out.Pix[3*i:3*i+3], p.Pix[i*p.Channels:])
	}
	return out
}

// CompositeOnWhite is transformers 5.x's convert_to_rgb: the image as RGBA
// alpha-composited over opaque white with Pillow's integer arithmetic, then
// alpha dropped.
func CompositeOnWhite(p *Pixels) *Pixels {
	if p.Channels != 4 {
		return DropAlpha(p)
	}
	out := NewPixels(p.W, p.H, 3)
	for i := range p.W * p.H {
		a := uint32(p.Pix[4*i+3])
		for c := range 3 {
			s := uint32(p.Pix[4*i+c])
			if a == 0 {
				out.Pix[3*i+c] = 255
				continue
			}
			coef1, coef2 := a*128, (255-a)*128
			t := s*coef1 + 255*coef2 + (128 << 7)
			out.Pix[3*i+c] = uint8((((t >> 8) + t) >> 8) >> 7)
		}
	}
	return out
}

// ToGray is Pillow's convert("L"): ITU-R 601-2 luma in 16-bit fixed point.
// Alpha is ignored.
func ToGray(p *Pixels) *Pixels {
	if p.Channels == 1 {
		return p
	}
	out := NewPixels(p.W, p.H, 1)
	for i := range p.W * p.H {
		r, g, b := uint32(p.Pix[i*p.Channels]), uint32(p.Pix[i*p.Channels+1]), uint32(p.Pix[i*p.Channels+2])
		out.Pix[i] = uint8((19595*r + 38470*g + 7471*b + 0x8000) >> 16)
	}
	return out
}

// premultiply is Pillow's RGBA→RGBa (MULDIV255 per colour channel).
func premultiply(p *Pixels) *Pixels {
	out := NewPixels(p.W, p.H, 4)
	for i := range p.W * p.H {
		a := uint32(p.Pix[4*i+3])
		for c := range 3 {
			t := uint32(p.Pix[4*i+c])*a + 128
			out.Pix[4*i+c] = uint8((t + (t >> 8)) >> 8)
		}
		out.Pix[4*i+3] = uint8(a)
	}
	return out
}

// unpremultiply is Pillow's RGBa→RGBA.
func unpremultiply(p *Pixels) *Pixels {
	out := NewPixels(p.W, p.H, 4)
	for i := range p.W * p.H {
		a := uint32(p.Pix[4*i+3])
		for c := range 3 {
			v := uint32(p.Pix[4*i+c])
			if a != 0 && a != 255 {
				v = min(255*v/a, 255)
			}
			out.Pix[4*i+c] = uint8(v)
		}
		out.Pix[4*i+3] = uint8(a)
	}
	return out
}

// Package imageops holds the image operations whose exact numbers the
// reference pipeline depends on, reimplemented to match Pillow, PyTorch
// and NumPy bit for bit where that is possible:
//
//   - Pillow's separable resampling of 8-bit images (bicubic, lanczos,
//     bilinear) in its 22-bit fixed point, with the intermediate uint8 image
//     between the horizontal and the vertical pass;
//   - Pillow's mode conversions (RGBA→RGB, RGB→L, premultiplied alpha);
//   - CLIPImageProcessor (the IP-Adapter image encoder's preprocessing);
//   - IPAdapterMaskProcessor's preprocess and per-layer downsample (with
//     PyTorch's bicubic F.interpolate, which is a different kernel);
//   - loading images from a path or URL as diffusers' load_image does.
//
// No Go library reproduces Pillow's fixed-point resampler (x/image/draw's
// CatmullRom is a different kernel without Pillow's rounding), which is why
// this package exists.
package imageops

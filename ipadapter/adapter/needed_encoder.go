package adapter

// NeededEncoder names the image encoder the adapter was trained with, as
// precisely as its embedding width tells, article included ("the ViT-H/14
// image encoder (hidden 1280, projection 1024): h94/IP-Adapter
// models/image_encoder", or "an image encoder with hidden size 32"), for
// tools that describe a file before any encoder is loaded
// (ipadapter inspect).
func (f *File) NeededEncoder() string { return neededEncoder(f.Projection) }

// Package guidance combines the two halves of a classifier-free-guidance
// UNet batch the way the SDXL pipeline does, on host float32 slices in
// torch's arithmetic order:
//
//	ε = u + g·(c − u)                         (Combine)
//	ε = φ·ε·(std(c)/std(ε)) + (1−φ)·ε          (Rescale, guidance_rescale φ)
//
// The UNet runs on the batch [uncond…, cond…] (uncond half first); its
// output is split in two halves along dim 0 (torch's chunk(2)).
//
// Why on the host: these are two cheap elementwise passes per step, and
// keeping them outside the UNet graph lets one compiled graph serve both
// CFG and non-CFG runs and any guidance scale.
package guidance

// Command randn measures torchrand's randn on one SDXL latent tensor
// (1×4×128×128, the initial noise of a 1024×1024 image) and prints one JSON
// line with the median time per element over several runs, so the number
// can be tracked across changes and machines.
//
//	go run ./bench/randn [-runs 21] [-kernel avx2|scalar]
package main

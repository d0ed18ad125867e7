// Package probe computes attention maps for the notebooks: the softmax
// attention of chosen cross-attention (attn2) layers, averaged over heads,
// for one UNet call of a generation.
//
// ipadapter.Pipeline keeps its UNet private and has no capture hook, so a
// Probe holds its own copy of what one UNet call needs — the text encoders
// and tokenizers, the UNet and the IP-Adapters' weights — loaded from the
// same files on the same backend. The caller runs the pipeline, takes the
// UNet input and timestep of the step it wants from Request.Progress, and
// hands them to Run with the same prompt, reference embeddings, masks and
// scales. Run returns the UNet's noise prediction next to the maps, so the
// caller can check it against the pipeline's (Progress.NoisePred): equal
// predictions mean the maps belong to the computation that made the image.
//
// The copy costs memory (the SDXL UNet and text encoders a second time:
// about 6.5 GB in float16). A capture option in the pipeline itself would
// make this package unnecessary.
package probe

package unet

import "strconv"

// Attention maps for teaching displays are captured through an
// nn.Recorder: every attention asks the recorder whether it wants its map
// and, only then, computes the softmax probabilities explicitly (otherwise
// it may use a fused kernel and records nothing, so capture costs nothing
// when off). A recorded map is the mean over heads of the probabilities,
// [B, query tokens, key tokens] float32; query tokens are the latent pixels
// of the layer's level in row-major order.
//
// Names:
//
//	"<attn1 module>"                    self-attention, e.g. "mid_block.attentions.0.transformer_blocks.0.attn1"
//	"<attn2 module>"                    cross-attention to the text tokens
//	"<attn2 module>.ip<adapter>"        to an adapter's image tokens (all images, one softmax)
//	"<attn2 module>.ip<adapter>.<i>"    to image i's tokens of a masked adapter (before masking)

// IPMapName is the recorder name of an attn2 layer's attention map over an
// IP-Adapter's image tokens; image is the image index for masked streams,
// −1 without masks.
func IPMapName(layer string, adapter, image int) string {
	name := layer + ".ip" + strconv.Itoa(adapter)
	if image >= 0 {
		name += "." + strconv.Itoa(image)
	}
	return name
}

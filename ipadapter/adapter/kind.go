package adapter

import "fmt"

// Kind is the type of an adapter's image projection network, which decides
// which image encoder output it reads and how many tokens it makes.
type Kind int

const (
	// Plain is the original ImageProjModel (diffusers' ImageProjection):
	// one pooled, projected image embedding to N tokens (ip-adapter_sdxl,
	// ip-adapter_sdxl_vit-h).
	Plain Kind = iota + 1
	// Plus is the perceiver Resampler (diffusers'
	// IPAdapterPlusImageProjection) over the encoder's penultimate hidden
	// states (ip-adapter-plus_sdxl_vit-h, ip-adapter-plus-face_sdxl_vit-h).
	Plus
	// FullFace is MLPProjModel (diffusers' IPAdapterFullImageProjection):
	// every hidden-state token through an MLP (ip-adapter-full-face_sd15).
	FullFace
)

// String names the kind as the IP-Adapter model cards do.
func (k Kind) String() string {
	switch k {
	case Plain:
		return "plain"
	case Plus:
		return "plus"
	case FullFace:
		return "full-face"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// ParseKind is the inverse of String (for embeddings saved to disk).
func ParseKind(s string) (Kind, error) {
	for _, k := range []Kind{Plain, Plus, FullFace} {
		if k.String() == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown IP-Adapter kind %q (want plain, plus or full-face)", s)
}

// UsesHiddenStates reports whether the projection reads the encoder's
// hidden_states[-2] (Plus, FullFace) rather than its pooled, projected
// image_embeds (Plain): diffusers' output_hidden_states in encode_image.
func (k Kind) UsesHiddenStates() bool { return k == Plus || k == FullFace }

// EncoderOutput names the image encoder output the kind consumes.
func (k Kind) EncoderOutput() string {
	if k.UsesHiddenStates() {
		return "hidden_states[-2]"
	}
	return "image_embeds"
}

// embedRank is the rank of one image's embedding: [P] for plain,
// [tokens, hidden] for the hidden-state kinds.
func (k Kind) embedRank() int {
	if k.UsesHiddenStates() {
		return 2
	}
	return 1
}

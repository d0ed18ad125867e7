// Package legacy renames tensors that older diffusers versions saved under
// names diffusers has since changed, as diffusers does when it loads them
// (ModelMixin._convert_deprecated_attention_blocks): the VAE's mid-block
// attention projections query, key, value and proj_attn are now to_q,
// to_k, to_v and to_out.0.
//
// It belongs with the other foreign-layout mappings in ipadapter/convert,
// but is a package of its own because the models apply it when they load
// a folder, and package convert imports the models: it imports nothing of
// this module but weights.
package legacy

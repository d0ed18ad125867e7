package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/convert"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// detectKind tells what a weights file holds from its tensor names and
// shapes alone (no data is read), in the order that avoids confusions:
// files of this tool first, then the layouts that carry a prefix (IP-Adapter
// groups, SGM components), then diffusers/transformers components.
func detectKind(path string, src weights.Source) string {
	has := func(name string) bool { _, ok := src.Info(name); return ok }
	hasPrefix := func(prefix string) bool {
		for _, info := range src.Infos() {
			if strings.HasPrefix(info.Name, prefix) {
				return true
			}
		}
		return false
	}
	switch {
	case strings.HasPrefix(src.Metadata()["format"], "gonb-ipadapter/image_embeds"):
		return describeEmbeds(src)
	case src.Metadata()[ipadapter.MetadataKeyword] != "" && has(latentsTensor):
		return fmt.Sprintf("final latents %v saved by 'ipadapter generate --latents', with the run's metadata", dimsOf(src, latentsTensor))
	case hasPrefix(convert.IPGroupImageProj+".") && hasPrefix(convert.IPGroupIPAdapter+"."):
		return describeAdapter(filepath.Base(path), src)
	case hasPrefix(convert.SGMPrefixes[convert.UNet]):
		return describeSGM(src)
	case has("conv_in.weight") && has("time_embedding.linear_1.weight"):
		return describeUNet(src)
	case has("encoder.conv_in.weight") && has("decoder.conv_in.weight"):
		return fmt.Sprintf("diffusers VAE (AutoencoderKL), %d latent channels", dim(src, "decoder.conv_in.weight", 1))
	case has("text_model.embeddings.token_embedding.weight"):
		class := "CLIPTextModel"
		if has("text_projection.weight") {
			class = "CLIPTextModelWithProjection"
		}
		return fmt.Sprintf("text encoder (%s), hidden size %d, %d layers", class,
			dim(src, "text_model.embeddings.token_embedding.weight", 1), countIndexed(src, "text_model.encoder.layers."))
	case has("vision_model.embeddings.patch_embedding.weight"):
		return describeVision(src)
	}
	return "unknown: not a layout this tool knows (diffusers UNet/VAE/text or vision encoder, SGM single file, IP-Adapter)"
}

// describeAdapter reads an IP-Adapter file as the library does, so the
// kind and the encoder it needs are the ones loading would find.
func describeAdapter(name string, src weights.Source) string {
	f, err := adapter.FromSource(name, src)
	if err != nil {
		return "IP-Adapter that this tool cannot use: " + oneLine(err.Error())
	}
	p := f.Projection
	tokens := fmt.Sprintf("%d tokens per image", p.Tokens)
	if p.Tokens == 0 {
		tokens = "one token per encoder token"
	}
	return fmt.Sprintf("IP-Adapter %s (%s, %d cross-attention layers); reads the image encoder's %s, %d wide: needs %s",
		f.Kind(), tokens, len(f.Layers), f.Kind().EncoderOutput(), p.EmbedDim, f.NeededEncoder())
}

// describeSGM lists the components of a single-file checkpoint.
func describeSGM(src weights.Source) string {
	var parts []string
	for _, c := range []string{convert.UNet, convert.VAE, convert.TextEncoder, convert.TextEncoder2} {
		n := 0
		for _, info := range src.Infos() {
			if strings.HasPrefix(info.Name, convert.SGMPrefixes[c]) {
				n++
			}
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", c, n))
		}
	}
	return "SGM single-file SDXL checkpoint (Stability's layout; load with --single-file): " + strings.Join(parts, ", ") + " tensors"
}

// describeUNet names a diffusers UNet and its widths.
func describeUNet(src weights.Source) string {
	s := fmt.Sprintf("diffusers UNet (UNet2DConditionModel), %d base channels", dim(src, "conv_in.weight", 0))
	for _, info := range src.Infos() {
		if strings.HasSuffix(info.Name, ".attn2.to_k.weight") && len(info.Shape) == 2 {
			s += fmt.Sprintf(", cross-attention dim %d", info.Shape[1])
			break
		}
	}
	if _, ok := src.Info("add_embedding.linear_1.weight"); ok {
		s += ", SDXL text_time conditioning"
	}
	return s
}

// describeVision names a CLIP vision encoder and its widths.
func describeVision(src weights.Source) string {
	class, proj := "CLIPVisionModel", ""
	if info, ok := src.Info("visual_projection.weight"); ok && len(info.Shape) == 2 {
		class, proj = "CLIPVisionModelWithProjection", fmt.Sprintf(", projection %d", info.Shape[0])
	}
	return fmt.Sprintf("vision encoder (%s), hidden size %d%s, %d layers", class,
		dim(src, "vision_model.embeddings.patch_embedding.weight", 0), proj, countIndexed(src, "vision_model.encoder.layers."))
}

// describeEmbeds summarises a file written by 'ipadapter embed'.
func describeEmbeds(src weights.Source) string {
	meta := src.Metadata()
	var parts []string
	for _, info := range src.Infos() {
		a := strings.TrimPrefix(info.Name, "image_embeds.")
		parts = append(parts, fmt.Sprintf("adapter %s: %s %v from %s", a, meta["adapter."+a+".kind"], info.Shape, meta["adapter."+a+".encoder"]))
	}
	return "IP-Adapter image embeddings (ipadapter embed, for generate --ip-embeds): " + strings.Join(parts, "; ")
}

// dimsOf is a tensor's shape.
func dimsOf(src weights.Source, name string) []int {
	info, _ := src.Info(name)
	return info.Shape
}

// dim is dimension i of a tensor's shape, 0 if unknown.
func dim(src weights.Source, name string, i int) int {
	info, ok := src.Info(name)
	if !ok || i >= len(info.Shape) {
		return 0
	}
	return info.Shape[i]
}

// countIndexed counts the distinct indices k of names "<prefix><k>.…".
func countIndexed(src weights.Source, prefix string) int {
	re := regexp.MustCompile("^" + regexp.QuoteMeta(prefix) + `(\d+)\.`)
	seen := map[int]bool{}
	for _, info := range src.Infos() {
		if m := re.FindStringSubmatch(info.Name); m != nil {
			k, _ := strconv.Atoi(m[1])
			seen[k] = true
		}
	}
	return len(seen)
}

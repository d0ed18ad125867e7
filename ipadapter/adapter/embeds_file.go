package adapter

import (
	"fmt"
	"strconv"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// embedsFormat identifies files written by SaveEmbeds.
const embedsFormat = "gonb-ipadapter/image_embeds/1"

// embedsTensor names adapter a's tensor in an embeddings file.
func embedsTensor(a int) string { return "image_embeds." + strconv.Itoa(a) }

// SaveEmbeds writes one ImageEmbeds per adapter to a safetensors file, so
// reference images are encoded once. Each tensor "image_embeds.<a>" is
// diffusers' ip_adapter_image_embeds entry ([negative; positive] on axis 0
// when the negative half is known), loadable as such from Python; the
// metadata names each entry's adapter kind and image encoder.
func SaveEmbeds(path string, embeds []*ImageEmbeds) error {
	if len(embeds) == 0 {
		return fmt.Errorf("saving image embeddings: none given")
	}
	meta := map[string]string{"format": embedsFormat, "adapters": strconv.Itoa(len(embeds))}
	var named []weights.Named
	for a, e := range embeds {
		if e == nil {
			return fmt.Errorf("saving image embeddings: entry %d is nil", a)
		}
		t, err := e.Tensor()
		if err != nil {
			return fmt.Errorf("saving image embeddings %d: %w", a, err)
		}
		n, err := weights.NamedFromTensor(embedsTensor(a), t)
		if err != nil {
			return err
		}
		named = append(named, n)
		key := "adapter." + strconv.Itoa(a) + "."
		if e.Kind != 0 {
			meta[key+"kind"] = e.Kind.String()
		}
		if e.Encoder != "" {
			meta[key+"encoder"] = e.Encoder
		}
		meta[key+"negative"] = strconv.FormatBool(e.Negative != nil)
	}
	return weights.WriteSafetensors(path, named, meta)
}

// LoadEmbeds reads a file written by SaveEmbeds.
func LoadEmbeds(path string) ([]*ImageEmbeds, error) {
	src, err := weights.Open(path)
	if err != nil {
		return nil, fmt.Errorf("loading image embeddings: %w", err)
	}
	defer src.Close()
	meta := src.Metadata()
	if meta["format"] != embedsFormat {
		return nil, fmt.Errorf("%s is not an image embeddings file written by SaveEmbeds (format %q, want %q)", path, meta["format"], embedsFormat)
	}
	n, err := strconv.Atoi(meta["adapters"])
	if err != nil || n <= 0 || n != len(src.Infos()) {
		return nil, fmt.Errorf("%s: metadata says %q adapters but the file has %d tensors", path, meta["adapters"], len(src.Infos()))
	}
	out := make([]*ImageEmbeds, n)
	for a := range out {
		key := "adapter." + strconv.Itoa(a) + "."
		vals, info, err := weights.Float32s(src, embedsTensor(a))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(info.Shape) < 3 {
			return nil, fmt.Errorf("%s: %s has shape %v, want [1 or 2, images, …]", path, info.Name, info.Shape)
		}
		e := &ImageEmbeds{Shape: info.Shape[1:], Encoder: meta[key+"encoder"]}
		if k, ok := meta[key+"kind"]; ok {
			if e.Kind, err = ParseKind(k); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		}
		half := product(e.Shape)
		switch {
		case meta[key+"negative"] == "true" && info.Shape[0] == 2:
			e.Negative, e.Positive = vals[:half], vals[half:]
		case meta[key+"negative"] == "false" && info.Shape[0] == 1:
			e.Positive = vals
		default:
			return nil, fmt.Errorf("%s: %s has %d rows on axis 0 but metadata says negative=%q", path, info.Name, info.Shape[0], meta[key+"negative"])
		}
		out[a] = e
	}
	return out, nil
}

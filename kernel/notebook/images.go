package notebook

import (
	"context"
	"fmt"
	"image"
	"path/filepath"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/imageops"
)

// guide is the documentation-images folder of diffusers' IP-Adapter guide.
const (
	guide  = "https://huggingface.co/datasets/huggingface/documentation-images/resolve/main/diffusers/"
	yiyixu = "https://huggingface.co/datasets/YiYiXu/testing-images/resolve/main/"
)

// reference names an image of the guide and the test fixture that stands
// in for it (testdata/golden/images) when Config.Images is set.
type reference struct{ url, standIn string }

var references = map[string]reference{
	"diner":  {guide + "ip_adapter_diner.png", "image_a.png"},
	"girl1":  {guide + "ip_mask_girl1.png", "image_b.png"},
	"girl2":  {guide + "ip_mask_girl2.png", "image_d.png"},
	"mask1":  {guide + "ip_mask_mask1.png", "mask_left_96x96.png"},
	"mask2":  {guide + "ip_mask_mask2.png", "mask_right_96x96.png"},
	"rabbit": {"https://huggingface.co/datasets/huggingface/documentation-images/resolve/0052a70beed5bf71b92610a43a52df6d286cd5f3/diffusers/rabbit.jpg", "image_c.png"},
	"woman":  {yiyixu + "women_input.png", "image_b.png"},
}

// Image loads a reference image of the guide by name: "diner" (the polar
// bear's), "girl1", "girl2", "mask1", "mask2" (masking), "rabbit"
// (InstantStyle), "woman" (multiple adapters).
func (c Config) Image(ctx context.Context, name string) (image.Image, error) {
	ref, ok := references[name]
	if !ok {
		return nil, fmt.Errorf("no reference image %q", name)
	}
	return c.load(ctx, ref)
}

// StyleImages are the ten "ziggy" style images of the guide's multiple
// adapters example (two stand-ins in the fixture).
func (c Config) StyleImages(ctx context.Context) ([]image.Image, error) {
	var refs []reference
	if c.Images != "" {
		refs = []reference{{standIn: "image_a.png"}, {standIn: "image_c.png"}}
	} else {
		for i := range 10 {
			refs = append(refs, reference{url: fmt.Sprintf("%sstyle_ziggy/img%d.png", yiyixu, i)})
		}
	}
	var out []image.Image
	for _, r := range refs {
		img, err := c.load(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, img)
	}
	return out, nil
}

func (c Config) load(ctx context.Context, r reference) (image.Image, error) {
	if c.Images != "" {
		return imageops.LoadImage(ctx, filepath.Join(c.Images, r.standIn))
	}
	return imageops.LoadImage(ctx, r.url)
}

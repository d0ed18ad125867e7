package adapter_test

import (
	"fmt"
	"image"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
)

// Example shows a pipeline's use of the package: load an adapter into the
// UNet, check the image encoder, set an InstantStyle scale, encode the
// reference image once, and hand the UNet its IP inputs at every step.
// (Compiled, not run: it needs real models.)
func Example() {
	var (
		m     *unet.Model          // unet.Load(…)
		enc   adapter.ImageEncoder // CLIP preprocessing + clip.LoadVisionEncoder(…)
		ref   image.Image          // imageops.LoadImage(…)
		base  unet.Inputs          // latents, timestep, text embeddings of the step
		steps = 30
	)
	run := func() error {
		ad, err := adapter.Load(m, "sdxl_models/ip-adapter_sdxl.safetensors")
		if err != nil {
			return err
		}
		if err := ad.CheckEncoder(enc.Vision.Model.Config); err != nil {
			return err // names the encoder the file needs
		}
		if err := ad.SetScale(adapter.StyleOnly()); err != nil {
			return err
		}
		embeds, err := ad.EncodeImages(enc, [][]image.Image{{ref}})
		if err != nil {
			return err
		}
		cond, err := ad.Prepare(adapter.Request{Embeds: embeds, Batch: 1, CFG: true})
		if err != nil {
			return err
		}
		for step := range steps {
			in := base
			if in.IP, err = cond.Inputs(step, steps); err != nil {
				return err
			}
			if _, err := m.Predict(in); err != nil {
				return err
			}
		}
		return nil
	}
	if err := run(); err != nil {
		fmt.Println(err)
	}
}

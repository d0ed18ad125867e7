package main

import (
	"flag"
	"slices"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/scheduler"
)

// reqFlags are the arguments of the pipeline call (generate and sweep).
type reqFlags struct {
	prompt, prompt2, negative, negative2 string
	steps, width, height, numImages      int
	clipSkip                             int
	guidance, rescale                    float64
	seed                                 optUint64
	scheduler                            string
}

func (r *reqFlags) register(fs *flag.FlagSet) flagGroup {
	fs.StringVar(&r.prompt, "prompt", "", "the `TEXT` to generate (required)")
	fs.StringVar(&r.prompt2, "prompt-2", "", "`TEXT` for the second text encoder (default: --prompt)")
	fs.StringVar(&r.negative, "negative-prompt", "", "`TEXT` to steer away from (default: none, zero conditioning)")
	fs.StringVar(&r.negative2, "negative-prompt-2", "", "`TEXT` for the second text encoder (default: --negative-prompt)")
	fs.IntVar(&r.steps, "steps", ipadapter.DefaultNumInferenceSteps, "number of denoising `STEPS`")
	fs.Float64Var(&r.guidance, "guidance", ipadapter.DefaultGuidanceScale, "classifier-free guidance `SCALE`; 1 or less: no guidance")
	fs.Float64Var(&r.rescale, "guidance-rescale", 0, "guidance rescale `PHI` in [0, 1] (0: off)")
	fs.Var(&r.seed, "seed", "noise `SEED`, as torch.Generator(\"cpu\").manual_seed(SEED) (default: random, printed and written into the PNG)")
	fs.IntVar(&r.width, "width", 0, "image width in `PIXELS`, a multiple of 8 (default: the model's, 1024 for SDXL)")
	fs.IntVar(&r.height, "height", 0, "image height in `PIXELS`, a multiple of 8 (default: the model's)")
	fs.IntVar(&r.numImages, "num-images", 1, "`N` images from the prompt (num_images_per_prompt)")
	fs.StringVar(&r.scheduler, "scheduler", "", "scheduler `CLASS`: "+strings.Join(scheduler.ClassNames(), ", ")+" (default: the model's)")
	fs.IntVar(&r.clipSkip, "clip-skip", 0, "use the text encoders' output `N` layers before the last (0: the last)")
	return flagGroup{title: "Generation", names: []string{"prompt", "prompt-2", "negative-prompt", "negative-prompt-2", "steps", "guidance", "guidance-rescale", "seed", "width", "height", "num-images", "scheduler", "clip-skip"}}
}

// check catches what is wrong whatever the model, before loading it.
func (r *reqFlags) check() error {
	switch {
	case strings.TrimSpace(r.prompt) == "":
		return usagef("--prompt is required")
	case r.steps < 1:
		return usagef("--steps must be at least 1")
	case r.numImages < 1:
		return usagef("--num-images must be at least 1")
	case r.clipSkip < 0:
		return usagef("--clip-skip must be 0 or more")
	case r.scheduler != "" && !slices.Contains(scheduler.ClassNames(), r.scheduler):
		return usagef("--scheduler %s: want one of %s", r.scheduler, strings.Join(scheduler.ClassNames(), ", "))
	}
	return nil
}

// request is the pipeline call these flags describe, without the
// IP-Adapter inputs (ipFlags.fill adds them).
func (r *reqFlags) request() ipadapter.Request {
	req := ipadapter.Request{
		Prompt:             text(r.prompt),
		Prompt2:            text(r.prompt2),
		NegativePrompt:     text(r.negative),
		NegativePrompt2:    text(r.negative2),
		ClipSkip:           r.clipSkip,
		Height:             r.height,
		Width:              r.width,
		NumInferenceSteps:  r.steps,
		GuidanceScale:      r.guidance,
		GuidanceRescale:    r.rescale,
		NumImagesPerPrompt: r.numImages,
		Seed:               r.seed.ptr(),
	}
	// The library reads 0 as "the default, 5"; on the command line 0 is
	// what the user typed: no guidance, which 1 also means.
	if req.GuidanceScale == 0 {
		req.GuidanceScale = 1
	}
	return req
}

// text is a prompt flag as the pipeline takes it: "" is None.
func text(s string) ipadapter.Prompt {
	if s == "" {
		return ipadapter.Prompt{}
	}
	return ipadapter.Text(s)
}

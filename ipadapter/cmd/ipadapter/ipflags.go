package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"image"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
)

// ipFlags are the IP-Adapter flags: which adapters, their reference
// images (or precomputed embeddings), masks, scales and step windows.
type ipFlags struct {
	adapters, images, masks, scales stringList
	embeds, start, end              string

	// Filled in by check: one source per adapter.
	sources   []ipadapter.IPAdapterSource
	scaleList []adapter.AdapterScale
	windows   []adapter.Window
}

func (f *ipFlags) register(fs *flag.FlagSet) flagGroup {
	fs.Var(&f.adapters, "ip-adapter", "adapter weights: a local `FILE`, or REPO/SUBFOLDER/WEIGHT on the Hub (h94/IP-Adapter/sdxl_models/ip-adapter_sdxl.bin); repeat for several adapters (each from any folder or repository; the image encoder comes from the first's)")
	fs.Var(&f.images, "ip-image", "reference image of one adapter (`PATH|URL`), in --ip-adapter order; several images for one adapter: a comma-separated list")
	fs.Var(&f.masks, "mask", "mask of one reference image (`PATH`; white: where it applies), in image order over all adapters; repeat, or separate with commas")
	fs.Var(&f.scales, "scale", "`SCALE`: a number; or set_ip_adapter_scale's argument as JSON: [0.8, 0.35], [[0.7, 0.7]] (with masks), {\"up\": {\"block_0\": [0.0, 1.0, 0.0]}}; or the InstantStyle presets style, layout, style+layout. Repeat for one per adapter (default: 1)")
	fs.StringVar(&f.embeds, "ip-embeds", "", "embeddings `FILE` from 'ipadapter embed', instead of --ip-image")
	fs.StringVar(&f.start, "ip-start", "", "`FRACTION` of the steps at which the adapters start (0-1; a comma-separated list for one per adapter)")
	fs.StringVar(&f.end, "ip-end", "", "`FRACTION` of the steps after which they stop (0-1; as --ip-start)")
	return flagGroup{title: "IP-Adapter", names: []string{"ip-adapter", "ip-image", "mask", "scale", "ip-embeds", "ip-start", "ip-end"}}
}

// check reads the flags and checks what can be checked before loading:
// an image per adapter, a mask per image, well-formed scales and windows.
func (f *ipFlags) check() error {
	n := len(f.adapters)
	if n == 0 {
		used := []struct {
			flag string
			set  bool
		}{
			{"ip-image", len(f.images) > 0},
			{"ip-embeds", f.embeds != ""},
			{"mask", len(f.masks) > 0},
			{"scale", len(f.scales) > 0},
			{"ip-start", f.start != ""},
			{"ip-end", f.end != ""},
		}
		for _, u := range used {
			if u.set {
				return usagef("--%s needs an IP-Adapter: give --ip-adapter", u.flag)
			}
		}
		return nil
	}
	var err error
	if f.sources, err = adapterSources(f.adapters); err != nil {
		return err
	}
	// Encoder options go on the first source (the library loads the
	// encoder with the first adapter).
	f.sources[0].NoImageEncoder = f.embeds != ""
	switch {
	case len(f.images) > 0 && f.embeds != "":
		return usagef("give --ip-image or --ip-embeds, not both")
	case len(f.images) == 0 && f.embeds == "":
		return usagef("--ip-adapter needs reference images: give --ip-image (or --ip-embeds)")
	case len(f.images) > 0 && len(f.images) != n:
		return usagef("%d --ip-image for %d --ip-adapter: give one --ip-image per adapter (several images for one adapter as a comma-separated list)", len(f.images), n)
	}
	if masks, images := len(f.maskPaths()), f.imageCount(); masks > 0 && images > 0 && masks != images {
		return usagef("%d masks for %d reference images: give one --mask per image", masks, images)
	}
	for _, v := range f.images {
		if len(splitList(v)) == 0 {
			return usagef("--ip-image: empty value")
		}
	}
	if f.scaleList, err = parseScaleFlags(f.scales); err != nil {
		return err
	}
	return f.checkWindows(n)
}

// checkWindows reads --ip-start and --ip-end: one value for every adapter
// or one per adapter.
func (f *ipFlags) checkWindows(n int) error {
	if f.start == "" && f.end == "" {
		return nil
	}
	starts, err := parseFloats("ip-start", f.start)
	if err != nil {
		return err
	}
	ends, err := parseFloats("ip-end", f.end)
	if err != nil {
		return err
	}
	pick := func(name string, vs []float64, a int, def float64) (float64, error) {
		switch len(vs) {
		case 0:
			return def, nil
		case 1:
			return vs[0], nil
		case n:
			return vs[a], nil
		}
		return 0, usagef("--%s has %d values for %d adapters: give one, or one per adapter", name, len(vs), n)
	}
	f.windows = make([]adapter.Window, n)
	for a := range n {
		s, err := pick("ip-start", starts, a, 0)
		if err != nil {
			return err
		}
		e, err := pick("ip-end", ends, a, 1)
		if err != nil {
			return err
		}
		w := adapter.Window{Start: s, End: e}
		if err := w.Validate(); err != nil {
			return usagef("--ip-start/--ip-end: %v", err)
		}
		f.windows[a] = w
	}
	return nil
}

// maskPaths are the --mask values, commas split.
func (f *ipFlags) maskPaths() []string {
	var paths []string
	for _, v := range f.masks {
		paths = append(paths, splitList(v)...)
	}
	return paths
}

// imageCount is the number of reference images over all adapters.
func (f *ipFlags) imageCount() int {
	n := 0
	for _, v := range f.images {
		n += len(splitList(v))
	}
	return n
}

// load loads the adapters into pipe and sets their scales.
func (f *ipFlags) load(ctx context.Context, pipe *ipadapter.Pipeline, p *progress) error {
	if len(f.adapters) == 0 {
		return nil
	}
	p.info("loading IP-Adapter %s", strings.Join(f.adapters, ", "))
	if err := pipe.LoadIPAdapters(ctx, f.sources...); err != nil {
		return err
	}
	if len(f.scaleList) > 0 {
		return pipe.SetIPAdapterScale(f.scaleList...)
	}
	return nil
}

// fill loads the reference images (or embeddings) and masks into req.
// Masks are made for the size the request will generate.
func (f *ipFlags) fill(ctx context.Context, pipe *ipadapter.Pipeline, req *ipadapter.Request) error {
	if len(f.adapters) == 0 {
		return nil
	}
	req.IPAdapterWindows = f.windows
	perAdapter := make([]int, 0, len(f.adapters))
	if f.embeds != "" {
		embeds, err := adapter.LoadEmbeds(f.embeds)
		if err != nil {
			return err
		}
		req.IPAdapterImageEmbeds = embeds
		for _, e := range embeds {
			perAdapter = append(perAdapter, e.NumImages())
		}
	} else {
		images, err := f.referenceImages(ctx)
		if err != nil {
			return err
		}
		req.IPAdapterImages = images
		for _, imgs := range images {
			perAdapter = append(perAdapter, len(imgs))
		}
	}
	return f.fillMasks(ctx, pipe, req, perAdapter)
}

// referenceImages loads the --ip-image values, one list per adapter.
func (f *ipFlags) referenceImages(ctx context.Context) ([][]image.Image, error) {
	var images [][]image.Image
	for _, v := range f.images {
		imgs, err := loadImages(ctx, "ip-image", splitList(v))
		if err != nil {
			return nil, err
		}
		images = append(images, imgs)
	}
	return images, nil
}

// loadImages loads the images (paths or URLs) given to flag name.
func loadImages(ctx context.Context, name string, refs []string) ([]image.Image, error) {
	var imgs []image.Image
	for _, ref := range refs {
		img, err := ipadapter.LoadImage(ctx, ref)
		if err != nil {
			return nil, fmt.Errorf("--%s: %w", name, err)
		}
		imgs = append(imgs, img)
	}
	return imgs, nil
}

// fillMasks hands each adapter the masks of its images, in order.
func (f *ipFlags) fillMasks(ctx context.Context, pipe *ipadapter.Pipeline, req *ipadapter.Request, perAdapter []int) error {
	paths := f.maskPaths()
	if len(paths) == 0 {
		return nil
	}
	total := 0
	for _, n := range perAdapter {
		total += n
	}
	if len(paths) != total {
		return fmt.Errorf("%d masks for the %d reference images of %s: give one --mask per image", len(paths), total, f.embeds)
	}
	h, w := req.Height, req.Width
	if h == 0 || w == 0 {
		dh, dw, err := pipe.DefaultSize()
		if err != nil {
			return err
		}
		h, w = cmp.Or(h, dh), cmp.Or(w, dw)
	}
	for _, n := range perAdapter {
		imgs, err := loadImages(ctx, "mask", paths[:n])
		if err != nil {
			return err
		}
		paths = paths[n:]
		m, err := ipadapter.PreprocessMasks(imgs, h, w)
		if err != nil {
			return fmt.Errorf("--mask: %w", err)
		}
		req.IPAdapterMasks = append(req.IPAdapterMasks, m)
	}
	return nil
}

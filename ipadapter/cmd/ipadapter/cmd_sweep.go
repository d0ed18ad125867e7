package main

import (
	"context"
	"flag"
	"fmt"
	"image"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/imagegrid"
)

func sweepCommand() *command {
	return &command{
		name:    "sweep",
		summary: "one labelled contact sheet over IP-Adapter scales or seeds, one compiled model",
		about: `Generates one image per IP-Adapter scale (--scales), per pair of scales of two
adapters (--scales and --scales-2) or per seed (--seeds; with --scales, a grid of
scales × seeds), and writes them as one labelled contact sheet PNG. The pipeline is
loaded and compiled once: scales and seeds are inputs of the compiled graphs, so
every image after the first costs only its steps (the number of compilations is
printed). The other flags are generate's; the image size and everything else stay
the same across the sheet.

Examples:

  # The guide's example at five scales, from text only (0) to image only (1)
  ipadapter sweep --ip-adapter h94/IP-Adapter/sdxl_models/ip-adapter_sdxl.bin \
    --ip-image diner.png --prompt "a polar bear sitting in a chair drinking a milkshake" \
    --scales 0,0.25,0.5,0.75,1 --seed 0 --steps 30 --out bear_scales.png

  # Scales of two adapters (sharing the ViT-H encoder) as a grid, keeping
  # every image with its metadata
  ipadapter sweep --image-encoder h94/IP-Adapter/models/image_encoder \
    --ip-adapter h94/IP-Adapter/sdxl_models/ip-adapter_sdxl_vit-h.safetensors \
    --ip-adapter h94/IP-Adapter/sdxl_models/ip-adapter-plus-face_sdxl_vit-h.safetensors \
    --ip-image style.png --ip-image face.png --prompt "a portrait, watercolor" \
    --scales 0,0.5,1 --scales-2 0,0.5,1 --keep --out grid.png

  # Four seeds at scale 0.6
  ipadapter sweep --ip-adapter h94/IP-Adapter/sdxl_models/ip-adapter_sdxl.bin \
    --ip-image diner.png --scale 0.6 --prompt "a polar bear" --seeds 0,1,2,3`,
		setup: func(fs *flag.FlagSet) ([]flagGroup, runFunc) {
			c := &sweepCmd{}
			return c.register(fs), c.run
		},
	}
}

// sweepCmd is the sweep command's flags.
type sweepCmd struct {
	genFlags
	scales, scales2, seeds string
	out                    string
	keep                   bool
}

func (c *sweepCmd) register(fs *flag.FlagSet) []flagGroup {
	groups := c.genFlags.register(fs)
	fs.StringVar(&c.scales, "scales", "", "scales of the first adapter, one per column: comma-separated `LIST` (0,0.25,0.5)")
	fs.StringVar(&c.scales2, "scales-2", "", "scales of the second adapter, one per row: comma-separated `LIST`")
	fs.StringVar(&c.seeds, "seeds", "", "seeds, one per column (per row with --scales): comma-separated `LIST` (0,1,2)")
	fs.StringVar(&c.out, "out", "sweep.png", "contact sheet PNG `FILE`")
	fs.BoolVar(&c.keep, "keep", false, "also save every image, with its metadata, as FILE_<row>_<column>.png")
	return append(groups,
		flagGroup{title: "Sweep", names: []string{"scales", "scales-2", "seeds"}},
		flagGroup{title: "Output", names: []string{"out", "keep", c.registerQuiet(fs)}})
}

func (c *sweepCmd) run(ctx context.Context, a *app, args []string) error {
	if err := c.check(args); err != nil {
		return err
	}
	if err := checkOutput("out", c.out, ".png"); err != nil {
		return err
	}
	if c.req.numImages != 1 {
		return usagef("sweep makes one image per cell: --num-images must be 1")
	}
	cols, rows, err := c.axes()
	if err != nil {
		return err
	}
	p := newProgress(a, c.quiet)
	defer p.end() // erase a bar before the error line, if any
	pipe, req, err := c.open(ctx, p)
	if err != nil {
		return err
	}
	defer pipe.Close()

	s := &sweep{pipe: pipe, base: req, scales: c.ip.scaleList, p: p}
	results, err := s.run(ctx, cols, rows)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	sheet, err := c.sheet(results, cols, rows)
	if err != nil {
		return err
	}
	written := []string{c.out}
	if err := savePNG(c.out, sheet); err != nil {
		return err
	}
	if c.keep {
		for r, row := range results {
			for col, res := range row {
				path := numbered(numbered(c.out, r), col)
				if err := res.SavePNG(path, 0); err != nil {
					return err
				}
				written = append(written, path)
			}
		}
	}
	if !c.quiet {
		for _, path := range written {
			fmt.Fprintf(a.stdout, "wrote %s\n", path)
		}
		fmt.Fprintln(a.stdout, s.summary())
	}
	return nil
}

// axes reads the sweep flags: the columns and, for a grid, the rows.
func (c *sweepCmd) axes() (cols, rows *axis, err error) {
	var given []*axis
	add := func(ax *axis, err error) error {
		if err == nil {
			given = append(given, ax)
		}
		return err
	}
	if c.scales != "" {
		if len(c.ip.adapters) < 1 {
			return nil, nil, usagef("--scales sweeps an adapter's scale: give --ip-adapter")
		}
		if err := add(scaleAxis("scales", c.scales, 0)); err != nil {
			return nil, nil, err
		}
	}
	if c.scales2 != "" {
		if len(c.ip.adapters) < 2 {
			return nil, nil, usagef("--scales-2 sweeps the second adapter's scale: give two --ip-adapter")
		}
		if err := add(scaleAxis("scales-2", c.scales2, 1)); err != nil {
			return nil, nil, err
		}
	}
	if c.seeds != "" {
		if err := add(seedAxis(c.seeds)); err != nil {
			return nil, nil, err
		}
	}
	switch len(given) {
	case 0:
		return nil, nil, usagef("give what to sweep: --scales, --scales-2 or --seeds")
	case 1:
		return given[0], nil, nil
	case 2:
		return given[0], given[1], nil
	}
	return nil, nil, usagef("a sheet has two axes: give at most two of --scales, --scales-2, --seeds")
}

// sheet lays the images out with their labels and the prompt as title.
func (c *sweepCmd) sheet(results [][]*ipadapter.Result, cols, rows *axis) (*image.NRGBA, error) {
	images := make([][]image.Image, len(results))
	for r, row := range results {
		for _, res := range row {
			images[r] = append(images[r], res.Images[0])
		}
	}
	var rowLabels []string
	if rows != nil {
		rowLabels = rows.labels
	}
	title := sweepTitle(results[0][0].Metadata, cols.seeds || (rows != nil && rows.seeds))
	return imagegrid.Grid(images, rowLabels, cols.labels, title)
}

// sweepTitle is the sheet's title: the prompt and what every cell shares.
func sweepTitle(m ipadapter.Metadata, seedsSwept bool) string {
	title := fmt.Sprintf("%q, %d steps, guidance %g", strings.Join(m.Prompt.Strings(), " | "), m.NumInferenceSteps, m.GuidanceScale)
	if !seedsSwept && m.Seed != nil {
		title += fmt.Sprintf(", seed %d", *m.Seed)
	}
	return title
}

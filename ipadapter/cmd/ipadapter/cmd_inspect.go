package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

func inspectCommand() *command {
	return &command{
		name:    "inspect",
		args:    "FILE...",
		summary: "list the tensors of a weights file and tell what it is",
		about: `Lists every tensor of a weights file (name, dtype, shape) and says what the file
is: a diffusers UNet, VAE, text or vision encoder, an SGM single-file checkpoint, an
IP-Adapter (plain, plus or full-face, with the image encoder it needs), embeddings
from 'ipadapter embed', or unknown. Only headers are read, so a 7 GB checkpoint is
inspected at once. Reads .safetensors, sharded *.index.json and PyTorch .bin/.pt
files (without running any pickled code).

Examples:

  ipadapter inspect ~/models/ip-adapter-plus_sdxl_vit-h.safetensors
  ipadapter inspect --summary sd_xl_base_1.0.safetensors`,
		setup: func(fs *flag.FlagSet) ([]flagGroup, runFunc) {
			c := &inspectCmd{}
			fs.BoolVar(&c.summary, "summary", false, "print only the summary, not one line per tensor")
			return []flagGroup{{title: "Flags", names: []string{"summary"}}}, c.run
		},
	}
}

type inspectCmd struct {
	summary bool
}

func (c *inspectCmd) run(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 {
		return usagef("give the FILE to inspect")
	}
	for i, path := range args {
		if i > 0 {
			fmt.Fprintln(a.stdout)
		}
		if err := c.inspect(a.stdout, path); err != nil {
			return err
		}
	}
	return nil
}

func (c *inspectCmd) inspect(w io.Writer, path string) error {
	src, err := weights.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	infos := src.Infos()
	if !c.summary {
		tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
		for _, info := range infos {
			fmt.Fprintf(tw, "%s\t%s\t%v\n", info.Name, info.DType, info.Shape)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	var bytes int64
	for _, info := range infos {
		bytes += info.ByteSize()
	}
	fmt.Fprintf(w, "file: %s (%s, %s of tensor data)\n", path, formatOf(path), bytesText(bytes))
	fmt.Fprintf(w, "tensors: %d\n", len(infos))
	fmt.Fprintf(w, "kind: %s\n", detectKind(path, src))
	return nil
}

// formatOf names a weights file's format from its first bytes, as
// weights.Open chooses its reader.
func formatOf(path string) string {
	if strings.HasSuffix(path, ".json") {
		return "sharded checkpoint index"
	}
	f, err := os.Open(path)
	if err != nil {
		return "unknown format"
	}
	defer f.Close()
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	switch {
	case n >= 2 && string(head[:2]) == "PK":
		return "PyTorch zip"
	case n >= 1 && head[0] == 0x80:
		return "PyTorch legacy pickle"
	}
	return "safetensors"
}

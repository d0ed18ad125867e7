package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// flagGroup is a titled list of flags in a command's help.
type flagGroup struct {
	title string
	names []string
}

// guideExample is the seed example of diffusers' IP-Adapter guide
// (using-diffusers/ip_adapter.md): SDXL base, ip-adapter_sdxl.bin at scale
// 0.6, the diner as image prompt, 100 steps, generator seed 0.
const guideExample = `  ipadapter generate \
    --model stabilityai/stable-diffusion-xl-base-1.0 \
    --ip-adapter h94/IP-Adapter/sdxl_models/ip-adapter_sdxl.bin --scale 0.6 \
    --ip-image https://huggingface.co/datasets/huggingface/documentation-images/resolve/main/diffusers/ip_adapter_diner.png \
    --prompt "a polar bear sitting in a chair drinking a milkshake" \
    --negative-prompt "deformed, ugly, wrong proportion, low res, bad anatomy, worst quality, low quality" \
    --steps 100 --seed 0 --out bear.png`

const environmentHelp = `Environment:
  GOMLX_BACKEND     backend, as --backend ("go", "xla:cuda", "xla:cpu")
  IPADAPTER_DTYPE   compute dtype, as --dtype
  HF_HUB_CACHE      Hugging Face cache folder (default ~/.cache/huggingface/hub)
  HF_HUB_OFFLINE    1: use the cache only, as --offline
  HF_TOKEN          token for gated or private Hub repositories`

// mainUsage prints the overview: commands, conventions, an example.
func mainUsage(w io.Writer) {
	fmt.Fprint(w, `ipadapter runs Stable Diffusion XL with IP-Adapter (gonb-ipadapter), as
diffusers does, on a CUDA GPU or on the CPU.

Usage:
  ipadapter <command> [flags] [arguments]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, `  %-10s show a command's flags and examples

Flags are written -flag or --flag, with the value after "=" or a space.
Progress is a bar on stderr when it is a terminal, else plain lines on
stdout with the other messages and the results; stderr otherwise gets only
an error, as one line (exit code 1, or 2 for a mistake in the flags).
Ctrl-C stops a generation at the next step and writes nothing (exit 130).

The seed example of diffusers' IP-Adapter guide:

%s

Run 'ipadapter help <command>' for the flags of a command.

%s
`, "help", guideExample, environmentHelp)
}

// usage prints a command's help: synopsis, text, flags by group.
func (c *command) usage(w io.Writer) {
	fs, groups, _ := c.flagSet()
	synopsis := "ipadapter " + c.name + " [flags]"
	if c.args != "" {
		synopsis += " " + c.args
	}
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", synopsis, strings.TrimRight(c.about, "\n"))
	listed := map[string]bool{}
	for _, g := range groups {
		fmt.Fprintf(w, "\n%s:\n", g.title)
		for _, name := range g.names {
			if f := fs.Lookup(name); f != nil {
				printFlag(w, f)
				listed[name] = true
			}
		}
	}
	// A flag left out of every group is still shown, under "Other".
	first := true
	fs.VisitAll(func(f *flag.Flag) {
		if listed[f.Name] {
			return
		}
		if first {
			fmt.Fprint(w, "\nOther:\n")
			first = false
		}
		printFlag(w, f)
	})
}

// Flag descriptions start at flagColumn and are wrapped at helpWidth.
const (
	flagColumn = 26
	helpWidth  = 80
)

// printFlag prints "  --name VALUE   usage (default: x)", the usage
// wrapped, on the next line when the flag is too long to share one.
func printFlag(w io.Writer, f *flag.Flag) {
	value, text := flag.UnquoteUsage(f)
	head := "  --" + f.Name
	if value != "" {
		head += " " + value
	}
	if !isZeroDefault(f) {
		text += fmt.Sprintf(" (default: %s)", f.DefValue)
	}
	indent := strings.Repeat(" ", flagColumn)
	lines := wrapWords(text, helpWidth-flagColumn)
	if len(head) > flagColumn-2 {
		fmt.Fprintln(w, head)
	} else {
		fmt.Fprintf(w, "%-*s%s\n", flagColumn, head, lines[0])
		lines = lines[1:]
	}
	for _, l := range lines {
		fmt.Fprintln(w, indent+l)
	}
}

// wrapWords breaks text into lines of at most width characters at
// spaces (a longer word gets a line of its own).
func wrapWords(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case len([]rune(line))+1+len([]rune(word)) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	return append(lines, line)
}

// isZeroDefault reports whether a flag's default is not worth showing.
func isZeroDefault(f *flag.Flag) bool {
	switch f.DefValue {
	case "", "0", "false", "[]":
		return true
	}
	return false
}

// Command tokenize measures the CLIP tokenizer on 10,000 prompts built from
// the golden fixture prompts, the way SDXL calls it (padding to 77,
// truncation). Each timed run loads a fresh tokenizer, so its BPE cache
// starts empty; loading is not timed. It prints one JSON line:
//
//	{"bench":"tokenize_10k","median_s":…,"min_s":…,"max_s":…,"prompts_per_s":…}
//
// Run from the repository root: go run ./bench/tokenize
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/seed11f6bdef/gonb-ipadapter/bench/internal/timing"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip/tokenizer"
)

func main() {
	dir := flag.String("tokenizer", "testdata/golden/tiny-sdxl/tokenizer", "CLIP tokenizer folder")
	promptsPath := flag.String("prompts", "testdata/golden/cases/tokenizer/tokenizer_default.json", "golden tokenizer case JSON to take prompts from")
	n := flag.Int("n", 10000, "number of prompts")
	runs := flag.Int("runs", 7, "timed runs")
	flag.Parse()
	if err := run(*dir, *promptsPath, *n, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "tokenize bench:", err)
		os.Exit(1)
	}
}

func run(dir, promptsPath string, n, runs int) error {
	if n < 1 || runs < 1 {
		return fmt.Errorf("-n and -runs must be positive")
	}
	base, err := readPrompts(promptsPath)
	if err != nil {
		return err
	}
	prompts := combine(base, n)
	times := make([]float64, runs)
	var truncated int
	for r := range times {
		tok, err := tokenizer.Load(dir)
		if err != nil {
			return err
		}
		runtime.GC() // keep the loader's garbage out of the timed call
		start := time.Now()
		enc, err := tok.Call(prompts, tokenizer.CallOptions{})
		times[r] = time.Since(start).Seconds()
		if err != nil {
			return err
		}
		truncated = 0
		for _, t := range enc.Truncated {
			if t {
				truncated++
			}
		}
	}
	median, lo, hi := timing.Summary(times)
	fmt.Fprintf(os.Stderr, "%d prompts (%d truncated to 77 tokens), %d runs, cold BPE cache per run\n", n, truncated, runs)
	return timing.Print(struct {
		Bench       string  `json:"bench"`
		MedianS     float64 `json:"median_s"`
		MinS        float64 `json:"min_s"`
		MaxS        float64 `json:"max_s"`
		PromptsPerS float64 `json:"prompts_per_s"`
	}{"tokenize_10k", median, lo, hi, float64(n) / median})
}

// readPrompts returns the texts of a golden tokenizer case JSON.
func readPrompts(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Cases []struct {
			Text string `json:"text"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	var texts []string
	for _, c := range doc.Cases {
		if strings.TrimSpace(c.Text) != "" {
			texts = append(texts, c.Text)
		}
	}
	if len(texts) == 0 {
		return nil, fmt.Errorf("%s has no prompts", path)
	}
	return texts, nil
}

// combine builds n varied prompts: each joins one to three fixture prompts,
// picked by a fixed linear congruential sequence, with ", " (the way
// prompts and style tags are combined in practice). Some exceed 77 tokens.
func combine(base []string, n int) []string {
	out := make([]string, n)
	state := uint32(12345)
	next := func() int {
		state = state*1664525 + 1013904223
		return int(state>>8) % len(base)
	}
	for i := range out {
		parts := make([]string, 1+i%3)
		for j := range parts {
			parts[j] = base[next()]
		}
		out[i] = strings.Join(parts, ", ")
	}
	return out
}

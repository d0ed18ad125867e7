package ipadapter

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// PNG keywords of the metadata SavePNG writes.
const (
	// MetadataKeyword holds Metadata as JSON.
	MetadataKeyword = "gonb-ipadapter"
	// ParametersKeyword holds a one-paragraph summary in the "parameters"
	// form of the A1111 web UI, which many image viewers and sites show.
	ParametersKeyword = "parameters"
)

// SavePNG writes image i of the result to path as a PNG carrying the run's
// metadata (with Index = i) in iTXt chunks. The file appears complete or
// not at all: it is written to a temporary file next to path and renamed.
func (r *Result) SavePNG(path string, i int) error {
	if i < 0 || i >= len(r.Images) {
		return fmt.Errorf("saving %s: image %d of %d (generate with OutputImages to get images)", path, i, len(r.Images))
	}
	m := r.Metadata
	m.Index = i
	js, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	data, err := encodePNG(r.Images[i], []TextChunk{
		{Keyword: ParametersKeyword, Text: m.Parameters()},
		{Keyword: MetadataKeyword, Text: string(js)},
	})
	if err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	return writeFileAtomic(path, data)
}

// SavePNGs writes every image to dir as <prefix>-<i>.png (see SavePNG) and
// returns the paths.
func (r *Result) SavePNGs(dir, prefix string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	for i := range r.Images {
		p := filepath.Join(dir, fmt.Sprintf("%s-%d.png", prefix, i))
		if err := r.SavePNG(p, i); err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// ReadMetadata reads the Metadata SavePNG wrote into a PNG file.
func ReadMetadata(path string) (Metadata, error) {
	f, err := os.Open(path)
	if err != nil {
		return Metadata{}, err
	}
	defer f.Close()
	texts, err := ReadPNGText(f)
	if err != nil {
		return Metadata{}, fmt.Errorf("%s: %w", path, err)
	}
	for _, t := range texts {
		if t.Keyword == MetadataKeyword {
			var m Metadata
			if err := json.Unmarshal([]byte(t.Text), &m); err != nil {
				return Metadata{}, fmt.Errorf("%s: metadata: %w", path, err)
			}
			return m, nil
		}
	}
	return Metadata{}, fmt.Errorf("%s: %w", path, errNoMetadata)
}

var errNoMetadata = errors.New("no " + MetadataKeyword + " metadata in the file")

// Parameters summarises the run in the A1111 "parameters" form: the
// prompt, "Negative prompt: …", then comma-separated settings.
func (m Metadata) Parameters() string {
	var b strings.Builder
	b.WriteString(strings.Join(m.Prompt.Strings(), " | "))
	if neg := m.NegativePrompt.Strings(); len(neg) > 0 {
		b.WriteString("\nNegative prompt: " + strings.Join(neg, " | "))
	}
	fmt.Fprintf(&b, "\nSteps: %d, Sampler: %s, CFG scale: %g", m.NumInferenceSteps, m.Scheduler, m.GuidanceScale)
	if m.Seed != nil {
		fmt.Fprintf(&b, ", Seed: %d", *m.Seed)
	}
	fmt.Fprintf(&b, ", Size: %dx%d, Model: %s", m.Width, m.Height, m.Model)
	for _, mi := range m.Models {
		if strings.HasPrefix(mi.Component, "ip_adapter") {
			fmt.Fprintf(&b, ", IP-Adapter: %s", mi.Source)
		}
	}
	if len(m.IPAdapterScale) > 0 {
		fmt.Fprintf(&b, ", IP-Adapter scale: %s", m.IPAdapterScale)
	}
	fmt.Fprintf(&b, ", Version: %s", m.Software)
	return b.String()
}

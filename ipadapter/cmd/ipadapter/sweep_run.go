package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
)

// sweep runs the cells of a sheet on one loaded pipeline.
type sweep struct {
	pipe   *ipadapter.Pipeline
	base   ipadapter.Request
	scales []adapter.AdapterScale
	p      *progress

	cells       int
	first, rest time.Duration
	// compiled counts the pipeline's graphs after the sweep (the command
	// loads the pipeline for it, so they are all the sweep's).
	compiled ipadapter.Compilations
}

// run generates every cell, row by row; rows is nil for one row.
func (s *sweep) run(ctx context.Context, cols, rows *axis) ([][]*ipadapter.Result, error) {
	// Check the base scales once (one per adapter), so that every cell
	// only changes the entry its axis sweeps. A seed sweep may have no
	// adapter at all.
	if s.pipe.NumIPAdapters() > 0 {
		if err := s.pipe.SetIPAdapterScale(s.baseScales()...); err != nil {
			return nil, err
		}
	}
	nRows := 1
	if rows != nil {
		nRows = len(rows.labels)
	}
	total := nRows * len(cols.labels)
	results := make([][]*ipadapter.Result, nRows)
	for r := range nRows {
		for col := range cols.labels {
			cell := cellSetting{scales: s.baseScales(), req: s.base}
			label := cols.labels[col]
			cols.apply(&cell, col)
			if rows != nil {
				rows.apply(&cell, r)
				label += ", " + rows.labels[r]
			}
			res, err := s.generate(ctx, cell, fmt.Sprintf("[%d/%d] %s", s.cells+1, total, label))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", label, err)
			}
			// Cells without a seed of their own share the first's, drawn
			// at random when --seed was not given: a sheet compares
			// settings, not noise.
			if s.base.Seed == nil {
				s.base.Seed = res.Metadata.Seed
			}
			results[r] = append(results[r], res)
		}
	}
	s.compiled = s.pipe.Compilations()
	return results, nil
}

// generate runs one cell.
func (s *sweep) generate(ctx context.Context, cell cellSetting, label string) (*ipadapter.Result, error) {
	if len(cell.scales) > 0 {
		if err := s.pipe.SetIPAdapterScale(cell.scales...); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	s.p.begin(label)
	cell.req.Progress = s.p.step
	res, err := s.pipe.Generate(ctx, cell.req)
	s.p.end()
	if err != nil {
		return nil, err
	}
	if d := time.Since(start); s.cells == 0 {
		s.first = d
	} else {
		s.rest += d
	}
	s.cells++
	return res, nil
}

// summary says what the sweep cost, compilations included: the UNet's
// first (the count a sweep over graph inputs keeps at one), then the
// other components'.
func (s *sweep) summary() string {
	c := s.compiled
	text := make([]string, len(c.TextEncoders))
	for i, n := range c.TextEncoders {
		text[i] = fmt.Sprint(n)
	}
	msg := fmt.Sprintf("%d images; UNet compilations: %d; other compiled graphs: text encoders %s, image encoder %d, image projection %d, VAE %d; first image %s",
		s.cells, c.UNet, strings.Join(text, "+"), c.ImageEncoder, c.ImageProjection, c.VAE, durationText(s.first))
	if s.cells > 1 {
		msg += fmt.Sprintf(", then %s each", durationText(s.rest/time.Duration(s.cells-1)))
	}
	return msg
}

// baseScales is a copy of the --scale values, or scale 1 for every
// adapter (diffusers' default) when none was given.
func (s *sweep) baseScales() []adapter.AdapterScale {
	if len(s.scales) > 0 {
		return slices.Clone(s.scales)
	}
	out := make([]adapter.AdapterScale, s.pipe.NumIPAdapters())
	for i := range out {
		out[i] = adapter.Scale(1)
	}
	return out
}

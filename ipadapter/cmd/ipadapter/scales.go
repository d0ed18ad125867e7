package main

import (
	"strconv"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
)

// Presets --scale accepts by name: InstantStyle's two recipes for SDXL.
var scalePresets = map[string]func() adapter.Blocks{
	"style":        adapter.StyleOnly,
	"style+layout": adapter.StyleAndLayout,
	"layout":       adapter.LayoutOnly,
}

// parseScaleFlags reads the --scale values. Each is set_ip_adapter_scale's
// argument as Python would take it, written as JSON (0.6, [0.8, 0.35],
// [[0.7, 0.7]], {"up": {"block_0": [0.0, 1.0, 0.0]}}) or a preset name;
// several --scale flags are concatenated, so "--scale 0.8 --scale 0.35"
// is [0.8, 0.35], one entry per adapter.
func parseScaleFlags(values []string) ([]adapter.AdapterScale, error) {
	var scales []adapter.AdapterScale
	for _, v := range values {
		s, err := parseScale(v)
		if err != nil {
			return nil, err
		}
		scales = append(scales, s...)
	}
	return scales, nil
}

func parseScale(v string) ([]adapter.AdapterScale, error) {
	v = strings.TrimSpace(v)
	if preset, ok := scalePresets[strings.ToLower(v)]; ok {
		return []adapter.AdapterScale{preset()}, nil
	}
	// Numbers first: ".6" and "1e-1" are numbers to a user, not JSON.
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return []adapter.AdapterScale{adapter.Scale(f)}, nil
	}
	scales, err := adapter.ParseScales([]byte(v))
	if err != nil {
		return nil, usagef("--scale %s: %v (want a number, JSON as set_ip_adapter_scale takes it, \"style\", \"layout\" or \"style+layout\")", v, err)
	}
	return scales, nil
}

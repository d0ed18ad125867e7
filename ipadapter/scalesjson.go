package ipadapter

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
)

// scalesJSON writes set_ip_adapter_scale's argument as JSON, one entry per
// adapter (the default scale 1 when none was set), in the form
// adapter.ParseScales reads: a number, a list of per-image numbers, or an
// InstantStyle dict.
func scalesJSON(scales []adapter.AdapterScale, adapters int) json.RawMessage {
	entries := make([]any, adapters)
	for a := range entries {
		entries[a] = 1.0
		if a < len(scales) {
			entries[a] = scaleValue(scales[a])
		}
	}
	data, err := json.Marshal(entries)
	if err != nil { // only NaN or Inf scales, which SetScale accepts
		return json.RawMessage(fmt.Sprintf("%q", fmt.Sprint(scales)))
	}
	return data
}

// scaleValue is one adapter's scale as a JSON-marshalable value.
func scaleValue(s adapter.AdapterScale) any {
	switch v := s.(type) {
	case adapter.Scale:
		return float64(v)
	case adapter.PerImage:
		return []float64(v)
	case adapter.Blocks:
		d := map[string]any{}
		if v.Down != nil {
			d["down"] = sideValue(v.Down)
		}
		if v.Up != nil {
			d["up"] = sideValue(v.Up)
		}
		if v.Mid != nil {
			d["mid"] = v.Mid
		}
		return d
	}
	return s.String()
}

// sideValue writes a Blocks side: a number for every block (AllBlocks),
// or {"block_i": [values]}.
func sideValue(s adapter.Side) any {
	if all, ok := s[adapter.EveryBlock]; ok && len(s) == 1 && len(all) == 1 {
		return all[0]
	}
	d := map[string][]float64{}
	for _, i := range slices.Sorted(maps.Keys(s)) {
		d[fmt.Sprintf("block_%d", i)] = s[i]
	}
	return d
}

package adapter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// ParseScales reads set_ip_adapter_scale's argument written as JSON, the
// way diffusers interprets the Python value: a value that is not a list is
// wrapped in one, then each entry is a number (Scale), a list of numbers
// (PerImage) or a dict with "down", "mid", "up" (Blocks; "down"/"up" a
// number or {"block_i": number or list}, "mid" a number or a one-element
// list). Examples: `0.6`, `[0.8, 0.35]`, `[[0.7, 0.7]]`,
// `{"up": {"block_0": [0.0, 1.0, 0.0]}}`.
func ParseScales(data []byte) ([]AdapterScale, error) {
	data = bytes.TrimSpace(data)
	var entries []json.RawMessage
	if len(data) > 0 && data[0] == '[' {
		if err := json.Unmarshal(data, &entries); err != nil {
			return nil, fmt.Errorf("IP-Adapter scales: %w", err)
		}
	} else {
		entries = []json.RawMessage{data}
	}
	out := make([]AdapterScale, len(entries))
	for i, e := range entries {
		s, err := parseAdapterScale(e)
		if err != nil {
			return nil, fmt.Errorf("IP-Adapter scales, entry %d: %w", i, err)
		}
		out[i] = s
	}
	return out, nil
}

func parseAdapterScale(raw json.RawMessage) (AdapterScale, error) {
	var num float64
	if json.Unmarshal(raw, &num) == nil {
		return Scale(num), nil
	}
	var list []float64
	if json.Unmarshal(raw, &list) == nil {
		return PerImage(list), nil
	}
	var dict map[string]json.RawMessage
	if err := json.Unmarshal(raw, &dict); err != nil {
		return nil, fmt.Errorf("%s is neither a number, a list of numbers nor a per-block dict", raw)
	}
	var b Blocks
	for key, v := range dict {
		switch key {
		case sideMid:
			mid, err := numberOrList(v)
			if err != nil {
				return nil, fmt.Errorf("mid: %w", err)
			}
			b.Mid = mid
		case sideDown, sideUp:
			side, err := parseSide(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			if key == sideDown {
				b.Down = side
			} else {
				b.Up = side
			}
		default:
			return nil, fmt.Errorf("can't set the scale for layer %q: the keys are \"down\", \"mid\" and \"up\"", key)
		}
	}
	return b, nil
}

// parseSide reads "down"/"up": a number for every block, or
// {"block_i": number or list}.
func parseSide(raw json.RawMessage) (Side, error) {
	var num float64
	if json.Unmarshal(raw, &num) == nil {
		return AllBlocks(num), nil
	}
	var dict map[string]json.RawMessage
	if err := json.Unmarshal(raw, &dict); err != nil {
		return nil, fmt.Errorf("%s is neither a number nor {\"block_i\": …}", raw)
	}
	side := Side{}
	for key, v := range dict {
		idx, ok := strings.CutPrefix(key, "block_")
		i, err := strconv.Atoi(idx)
		if !ok || err != nil || i < 0 {
			return nil, fmt.Errorf("can't set the scale for %q: block keys are block_0, block_1, …", key)
		}
		vals, err := numberOrList(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		side[i] = vals
	}
	return side, nil
}

func numberOrList(raw json.RawMessage) ([]float64, error) {
	var num float64
	if json.Unmarshal(raw, &num) == nil {
		return []float64{num}, nil
	}
	var list []float64
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("%s is neither a number nor a list of numbers", raw)
	}
	return list, nil
}

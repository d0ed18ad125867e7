package loader

import (
	"encoding/json"
	"fmt"
	"slices"
)

// ClassRef is a model_index.json entry: the library and class that load a
// component ("diffusers", "UNet2DConditionModel").
type ClassRef struct {
	Library, Class string
}

// ModelIndex is a pipeline's model_index.json.
type ModelIndex struct {
	// ClassName is the pipeline class ("StableDiffusionXLPipeline").
	ClassName string
	// DiffusersVersion is the diffusers version that wrote the file.
	DiffusersVersion string
	// Components maps each present component to its class.
	Components map[string]ClassRef
	// Absent lists components written as [null, null] (an optional
	// component the pipeline was saved without).
	Absent []string
	// ForceZerosForEmptyPrompt: an empty negative prompt gives all-zero
	// embeddings instead of encoding "". Absent from the file, it is true,
	// the default of the SDXL pipelines.
	ForceZerosForEmptyPrompt bool
	// Extra holds every other key as written (requires_aesthetics_score,
	// add_watermarker, _name_or_path, …).
	Extra map[string]json.RawMessage
}

// ParseModelIndex reads model_index.json.
func ParseModelIndex(data []byte) (*ModelIndex, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("model_index.json: %w", err)
	}
	if raw == nil {
		return nil, fmt.Errorf("model_index.json is not a JSON object")
	}
	m := &ModelIndex{Components: map[string]ClassRef{}, Extra: map[string]json.RawMessage{}, ForceZerosForEmptyPrompt: true}
	for key, value := range raw {
		var pair []*string
		switch {
		case key == "_class_name":
			if err := json.Unmarshal(value, &m.ClassName); err != nil {
				return nil, fmt.Errorf("model_index.json: _class_name = %s: want a string", value)
			}
		case key == "_diffusers_version":
			_ = json.Unmarshal(value, &m.DiffusersVersion) // informative only
		case key == "force_zeros_for_empty_prompt":
			if err := json.Unmarshal(value, &m.ForceZerosForEmptyPrompt); err != nil {
				return nil, fmt.Errorf("model_index.json: force_zeros_for_empty_prompt = %s: want true or false", value)
			}
		case json.Unmarshal(value, &pair) == nil && len(pair) == 2:
			switch {
			case pair[0] == nil && pair[1] == nil:
				m.Absent = append(m.Absent, key)
			case pair[0] == nil || pair[1] == nil || *pair[0] == "" || *pair[1] == "":
				return nil, fmt.Errorf("model_index.json: %s = %s: want [library, class] or [null, null]", key, value)
			default:
				m.Components[key] = ClassRef{Library: *pair[0], Class: *pair[1]}
			}
		default:
			m.Extra[key] = value
		}
	}
	slices.Sort(m.Absent)
	if len(m.Components) == 0 {
		return nil, fmt.Errorf("model_index.json lists no components")
	}
	return m, nil
}

// Bool reads an extra boolean key (requires_aesthetics_score), def when
// absent or null.
func (m *ModelIndex) Bool(key string, def bool) (bool, error) {
	raw, ok := m.Extra[key]
	if !ok || string(raw) == "null" {
		return def, nil
	}
	var v bool
	if err := json.Unmarshal(raw, &v); err != nil {
		return def, fmt.Errorf("model_index.json: %s = %s: want true or false", key, raw)
	}
	return v, nil
}

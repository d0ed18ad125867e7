// Package configfile holds what the diffusers config.json readers of the
// model packages (unet, vae) share: the keys a config struct knows, the
// keys of a file it does not, and reading a file with its path in errors.
package configfile

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
)

// Keys is the set of JSON names of T's fields (a config struct with
// `json:"key"` tags).
func Keys[T any]() map[string]bool {
	keys := map[string]bool{}
	t := reflect.TypeFor[T]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		keys[name] = true
	}
	return keys
}

// Unknown lists, sorted, the keys of raw that are not in known and are not
// bookkeeping (diffusers' "_class_name", "_diffusers_version", … start
// with "_").
func Unknown(raw map[string]json.RawMessage, known map[string]bool) []string {
	var unknown []string
	for k := range raw {
		if !known[k] && !strings.HasPrefix(k, "_") {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	return unknown
}

// Read reads the file at path and parses it. A read error is prefixed with
// what ("unet config"); a parse error with the path.
func Read[T any](path, what string, parse func([]byte) (T, error)) (T, error) {
	var none T
	data, err := os.ReadFile(path)
	if err != nil {
		return none, fmt.Errorf("%s: %w", what, err)
	}
	cfg, err := parse(data)
	if err != nil {
		return none, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

package configfile

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type sample struct {
	A int    `json:"a"`
	B string `json:"b,omitempty"`
}

func TestKeysAndUnknown(t *testing.T) {
	known := Keys[sample]()
	if len(known) != 2 || !known["a"] || !known["b"] {
		t.Errorf("Keys = %v, want a and b", known)
	}
	raw := map[string]json.RawMessage{"a": nil, "z": nil, "c": nil, "_class_name": nil}
	if got := Unknown(raw, known); !slices.Equal(got, []string{"c", "z"}) {
		t.Errorf("Unknown = %v, want [c z]", got)
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.json")
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	parse := func(b []byte) (string, error) {
		if string(b) != "x" {
			return "", errors.New("bad")
		}
		return "parsed", nil
	}
	if got, err := Read(path, "thing config", parse); err != nil || got != "parsed" {
		t.Errorf("Read = %q, %v", got, err)
	}
	if _, err := Read(filepath.Join(dir, "missing.json"), "thing config", parse); err == nil || !strings.HasPrefix(err.Error(), "thing config: ") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Read(path, "thing config", func([]byte) (string, error) { return "", errors.New("bad") }); err == nil || err.Error() != path+": bad" {
		t.Errorf("parse error: %v", err)
	}
}

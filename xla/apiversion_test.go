//go:build cgo && !noxla

package xla

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestClientAPIVersionMatchesHeader keeps clientAPIVersion in step with the
// pjrt_c_api.h of the go-xla version in go.mod.
func TestClientAPIVersionMatchesHeader(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/gomlx/go-xla").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	header, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "pjrt", "pjrt_c_api.h"))
	if err != nil {
		t.Fatal(err)
	}
	get := func(name string) int {
		m := regexp.MustCompile(`#define ` + name + ` (\d+)`).FindSubmatch(header)
		if m == nil {
			t.Fatalf("%s not in pjrt_c_api.h", name)
		}
		v, _ := strconv.Atoi(string(m[1]))
		return v
	}
	want := APIVersion{Major: get("PJRT_API_MAJOR"), Minor: get("PJRT_API_MINOR")}
	if clientAPIVersion != want {
		t.Errorf("clientAPIVersion = %s, header says %s", clientAPIVersion, want)
	}
}

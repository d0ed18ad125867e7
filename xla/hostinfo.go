package xla

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/pkg/errors"
)

// GPU is one NVIDIA GPU as nvidia-smi reports it. go-xla does not expose
// PJRT's device memory statistics, so the driver's tool is the source.
type GPU struct {
	Index          int
	Name           string
	MemoryTotalMiB int64 // -1 when unknown
	MemoryUsedMiB  int64 // -1 when unknown
	Driver         string
}

// nvidiaSMIQuery is the nvidia-smi CSV query used by queryNvidiaSMI.
var nvidiaSMIQuery = []string{
	"--query-gpu=index,name,memory.total,memory.used,driver_version",
	"--format=csv,noheader,nounits",
}

// queryNvidiaSMI runs nvidia-smi with a short timeout.
func queryNvidiaSMI() ([]GPU, error) {
	path, err := exec.LookPath("nvidia-smi")
	if err != nil {
		return nil, errors.Wrap(err, "GPU name and memory unknown: nvidia-smi not on PATH")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, nvidiaSMIQuery...).Output()
	if err != nil {
		return nil, errors.Wrapf(err, "running %s", path)
	}
	return parseNvidiaSMI(out)
}

// parseNvidiaSMI parses "index, name, total, used, driver" lines.
func parseNvidiaSMI(out []byte) ([]GPU, error) {
	var gpus []GPU
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		f := strings.Split(line, ",")
		if len(f) != 5 {
			return nil, errors.Errorf("nvidia-smi: unexpected line %q (want 5 comma-separated fields)", line)
		}
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		idx, err := strconv.Atoi(f[0])
		if err != nil {
			return nil, errors.Wrapf(err, "nvidia-smi: bad index in %q", line)
		}
		gpus = append(gpus, GPU{Index: idx, Name: f[1], MemoryTotalMiB: atoiOr(f[2], -1), MemoryUsedMiB: atoiOr(f[3], -1), Driver: f[4]})
	}
	return gpus, sc.Err()
}

// atoiOr parses an integer, or returns def for "[N/A]" and the like.
func atoiOr(s string, def int64) int64 {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return def
	}
	return v
}

// hostMemoryBytes reads MemTotal from /proc/meminfo.
func hostMemoryBytes() (int64, error) {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, errors.Wrap(err, "reading host memory size")
	}
	return parseMemTotal(data)
}

// parseMemTotal extracts "MemTotal: N kB" from /proc/meminfo content.
func parseMemTotal(data []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				return 0, errors.Wrapf(err, "parsing %q", sc.Text())
			}
			return kb * 1024, nil
		}
	}
	return 0, errors.New("MemTotal not found in /proc/meminfo")
}

// Package procstatus reads the process's memory figures from
// /proc/self/status (Linux), for the notebook backend's status and
// bench/loadrss.
package procstatus

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Read returns the lines of /proc/self/status given in kB, in bytes, by
// name (VmRSS, VmHWM, RssAnon, RssFile, …). On a read error it returns
// what it parsed so far with the error.
func Read() (map[string]int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return nil, fmt.Errorf("reading memory use (Linux only): %w", err)
	}
	defer f.Close()
	out := map[string]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, rest, ok := strings.Cut(sc.Text(), ":")
		fields := strings.Fields(rest)
		if !ok || len(fields) != 2 || fields[1] != "kB" {
			continue
		}
		if kb, err := strconv.ParseInt(fields[0], 10, 64); err == nil {
			out[key] = kb << 10
		}
	}
	return out, sc.Err()
}

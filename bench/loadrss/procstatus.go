package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// readStatus returns the memory lines of /proc/self/status in bytes
// (VmHWM, VmRSS, RssAnon, RssFile, …).
func readStatus() (map[string]int64, error) {
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

// resetPeakRSS sets VmHWM back to the current VmRSS (clear_refs 5, Linux
// 4.0+), so the peak measured is the load's.
func resetPeakRSS() error {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return fmt.Errorf("resetting the peak RSS: %w", err)
	}
	return nil
}

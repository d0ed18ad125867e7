package main

import (
	"os"
	"path/filepath"
	"strings"
)

// cudnnFMHAInDump looks through an XLA dump folder (XLA_FLAGS=--xla_dump_to=
// … --xla_dump_hlo_as_text) for the optimised HLO of module `name` and
// reports whether it calls cuDNN fused attention (__cudnn$fmha…). This is
// what actually runs, after XLA's own rewrites, unlike the graph-time
// fused/decomposed decision. ok is false when no such file was found.
func cudnnFMHAInDump(dir, name string) (found, ok bool) {
	if dir == "" {
		return false, false
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*"+name+"_*after_optimizations.txt"))
	for _, m := range matches {
		data, err := os.ReadFile(m)
		if err != nil {
			continue
		}
		ok = true
		if strings.Contains(string(data), "__cudnn$fmha") {
			return true, true
		}
	}
	return false, ok
}

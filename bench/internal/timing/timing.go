// Package timing holds what the benchmark commands on the pure-Go backend
// share: the summary of repeated timed runs and the JSON line they print.
package timing

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Result is a timed benchmark's JSON line; compile_s is the time to build
// and compile the graph, as each command defines it.
type Result struct {
	Bench    string  `json:"bench"`
	MedianS  float64 `json:"median_s"`
	MinS     float64 `json:"min_s"`
	MaxS     float64 `json:"max_s"`
	CompileS float64 `json:"compile_s"`
}

// Summary sorts times (seconds, at least one) and returns their median
// (the mean of the two middle ones for an even count), minimum and
// maximum.
func Summary(times []float64) (median, lo, hi float64) {
	slices.Sort(times)
	n := len(times)
	median = times[n/2]
	if n%2 == 0 {
		median = (times[n/2-1] + times[n/2]) / 2
	}
	return median, times[0], times[n-1]
}

// Print writes v to standard output as one JSON line.
func Print(v any) error {
	line, err := json.Marshal(v)
	if err != nil {
		return err
	}
	fmt.Println(string(line))
	return nil
}

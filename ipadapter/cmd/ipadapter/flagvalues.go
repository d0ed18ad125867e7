package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
)

// stringList is a repeatable string flag: each use appends a value.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, " ") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// optUint64 is a uint64 flag that knows whether it was given (--seed:
// without it a random seed is drawn, and recorded).
type optUint64 struct {
	v   uint64
	set bool
}

func (o *optUint64) String() string {
	if !o.set {
		return ""
	}
	return strconv.FormatUint(o.v, 10)
}

func (o *optUint64) Set(s string) error {
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return fmt.Errorf("want a whole number ≥ 0")
	}
	o.v, o.set = v, true
	return nil
}

// ptr is the value as ipadapter.Request.Seed takes it.
func (o *optUint64) ptr() *uint64 {
	if !o.set {
		return nil
	}
	v := o.v
	return &v
}

// splitList splits a comma-separated flag value, dropping spaces around
// the items; an empty value gives no items.
func splitList(s string) []string {
	var items []string
	for _, it := range strings.Split(s, ",") {
		if it = strings.TrimSpace(it); it != "" {
			items = append(items, it)
		}
	}
	return items
}

// parseFloats reads a comma-separated list of numbers for flag name.
func parseFloats(name, s string) ([]float64, error) {
	var vs []float64
	for _, it := range splitList(s) {
		v, err := strconv.ParseFloat(it, 64)
		if err != nil {
			return nil, usagef("--%s: %q is not a number", name, it)
		}
		vs = append(vs, v)
	}
	return vs, nil
}

// givenFlags returns the names of the flags set on the command line.
func givenFlags(fs *flag.FlagSet) map[string]bool {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	return given
}

package main

import (
	"strconv"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
)

// cellSetting is what one cell of a sweep runs: the adapters' scales and
// the request.
type cellSetting struct {
	scales []adapter.AdapterScale
	req    ipadapter.Request
}

// axis is one dimension of a sweep: its labels and how its i-th value
// changes a cell.
type axis struct {
	labels []string
	apply  func(cell *cellSetting, i int)
	// seeds says the axis varies the seed (then the title names none).
	seeds bool
}

// scaleAxis sweeps adapter a's scale over a comma-separated list. Only
// the scale, a graph input, changes: no recompilation.
func scaleAxis(flagName, list string, a int) (*axis, error) {
	values, err := parseFloats(flagName, list)
	if err != nil {
		return nil, err
	}
	if len(values) == 0 {
		return nil, usagef("--%s: no values", flagName)
	}
	prefix := "scale"
	if a > 0 {
		prefix = "scale-" + strconv.Itoa(a+1)
	}
	ax := &axis{apply: func(cell *cellSetting, i int) { cell.scales[a] = adapter.Scale(values[i]) }}
	for _, v := range values {
		ax.labels = append(ax.labels, prefix+" "+strconv.FormatFloat(v, 'g', -1, 64))
	}
	return ax, nil
}

// seedAxis sweeps the seed over a comma-separated list.
func seedAxis(list string) (*axis, error) {
	var seeds []uint64
	for _, it := range splitList(list) {
		v, err := strconv.ParseUint(it, 0, 64)
		if err != nil {
			return nil, usagef("--seeds: %q is not a seed (a whole number ≥ 0)", it)
		}
		seeds = append(seeds, v)
	}
	if len(seeds) == 0 {
		return nil, usagef("--seeds: no values")
	}
	ax := &axis{seeds: true, apply: func(cell *cellSetting, i int) { cell.req.Seed = ipadapter.Seed(seeds[i]) }}
	for _, v := range seeds {
		ax.labels = append(ax.labels, "seed "+strconv.FormatUint(v, 10))
	}
	return ax, nil
}

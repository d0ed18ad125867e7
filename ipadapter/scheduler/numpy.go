package scheduler

import "math"

// NumPy's float64 routines as diffusers calls them in set_timesteps. Their
// exact arithmetic matters: fractional timesteps are compared exactly, and
// rounding them (np.round, half to even) depends on the last bit.

// npLinspace is np.linspace(start, stop, num): k·step + start with
// step = (stop−start)/(num−1), the last value set to stop exactly.
func npLinspace(start, stop float64, num int) []float64 {
	out := make([]float64, num)
	if num == 0 {
		return out
	}
	div := num - 1
	if div == 0 {
		out[0] = start
		return out
	}
	step := (stop - start) / float64(div)
	for k := range out {
		if step == 0 {
			out[k] = float64(k)/float64(div)*(stop-start) + start
		} else {
			out[k] = float64(float64(k)*step) + start
		}
	}
	out[num-1] = stop
	return out
}

// npArange is np.arange(start, stop, step) for floats: length
// ceil((stop−start)/step); the first two values are start and start+step,
// the rest start + i·(second − first), as NumPy's fill does.
func npArange(start, stop, step float64) []float64 {
	n := int(math.Ceil((stop - start) / step))
	if n <= 0 {
		return nil
	}
	out := make([]float64, n)
	out[0] = start
	if n > 1 {
		out[1] = start + step
		delta := out[1] - out[0]
		for i := 2; i < n; i++ {
			out[i] = start + float64(float64(i)*delta)
		}
	}
	return out
}

// interpTable is np.interp(x, arange(len(fp)), fp) for x inside the table,
// with float32 table values: slope·(x − j) + fp[j] in float64, exact at
// integer x.
func interpTable(x float64, fp []float32) float64 {
	last := len(fp) - 1
	switch {
	case x <= 0:
		return float64(fp[0])
	case x >= float64(last):
		return float64(fp[last])
	}
	j := int(math.Floor(x))
	lo, hi := float64(fp[j]), float64(fp[j+1])
	slope := (hi - lo) / float64(1)
	r := float64(slope*(x-float64(j))) + lo
	if math.IsNaN(r) {
		r = float64(slope*(x-float64(j+1))) + hi
	}
	return r
}

// roundHalfEven is np.round.
func roundHalfEven(x float64) float64 { return math.RoundToEven(x) }

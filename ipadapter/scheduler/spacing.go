package scheduler

import "slices"

// Timestep grids of set_timesteps, per timestep_spacing
// ("Common Diffusion Noise Schedules and Sample Steps are Flawed", Table 2).

// eulerGrid is Euler / Euler-Ancestral: float32 timesteps (as float64).
// "leading" never reaches T−1: SDXL's first step is at 981 for 50 steps.
func eulerGrid(c Config, n int) []float64 {
	t := *c.NumTrainTimesteps
	out := make([]float64, 0, n+1)
	switch *c.TimestepSpacing {
	case "linspace":
		for _, v := range npLinspace(0, float64(t-1), n) {
			out = append(out, float64(float32(v)))
		}
		slices.Reverse(out)
	case "leading":
		ratio := t / n
		offset := float32(*c.StepsOffset)
		for i := n - 1; i >= 0; i-- {
			out = append(out, float64(float32(i*ratio)+offset))
		}
	case "trailing":
		for _, v := range npArange(float64(t), 0, -float64(t)/float64(n)) {
			out = append(out, float64(float32(roundHalfEven(v))-1))
		}
	}
	return out
}

// ddimGrid is DDIM's integer grid.
func ddimGrid(c Config, n int) []float64 {
	t := *c.NumTrainTimesteps
	var out []float64
	switch *c.TimestepSpacing {
	case "linspace":
		for _, v := range npLinspace(0, float64(t-1), n) {
			out = append(out, roundHalfEven(v))
		}
		slices.Reverse(out)
	case "leading":
		ratio := t / n
		for i := n - 1; i >= 0; i-- {
			out = append(out, float64(i*ratio+*c.StepsOffset))
		}
	case "trailing":
		for _, v := range npArange(float64(t), 0, -float64(t)/float64(n)) {
			out = append(out, roundHalfEven(v)-1)
		}
	}
	return out
}

// dpmGrid is DPM-Solver's integer grid: n+1 points with the last (0)
// dropped, up to last (T unless lambda_min_clipped cuts it).
func dpmGrid(c Config, n, last int) []float64 {
	t := *c.NumTrainTimesteps
	var out []float64
	switch *c.TimestepSpacing {
	case "linspace":
		v := npLinspace(0, float64(last-1), n+1)
		for i := n; i >= 1; i-- {
			out = append(out, roundHalfEven(v[i]))
		}
	case "leading":
		ratio := last / (n + 1)
		for k := n; k >= 1; k-- {
			out = append(out, float64(k*ratio+*c.StepsOffset))
		}
	case "trailing":
		for _, v := range npArange(float64(last), 0, -float64(t)/float64(n)) {
			out = append(out, roundHalfEven(v)-1)
		}
	}
	return out
}

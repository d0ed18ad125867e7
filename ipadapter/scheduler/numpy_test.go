package scheduler

import (
	"slices"
	"testing"
)

func TestNumpyHelpers(t *testing.T) {
	if got := npLinspace(0, 999, 4); !slices.Equal(got, []float64{0, 333, 666, 999}) {
		t.Errorf("linspace(0,999,4) = %v", got)
	}
	if got := npLinspace(0, 999, 1); !slices.Equal(got, []float64{0}) {
		t.Errorf("linspace(0,999,1) = %v", got)
	}
	if got := npArange(1000, 0, -250); !slices.Equal(got, []float64{1000, 750, 500, 250}) {
		t.Errorf("arange(1000,0,-250) = %v", got)
	}
	// 1000/3 is inexact: NumPy's length is ceil(1000/333.33…) = 3 here.
	if got := npArange(1000, 0, -1000.0/3); len(got) != 3 {
		t.Errorf("arange(1000,0,-1000/3) has %d values: %v", len(got), got)
	}
	tab := []float32{1, 3, 7}
	for _, c := range []struct{ x, want float64 }{{0, 1}, {1, 3}, {0.5, 2}, {1.25, 4}, {2, 7}, {5, 7}} {
		if got := interpTable(c.x, tab); got != c.want {
			t.Errorf("interp(%v) = %v, want %v", c.x, got, c.want)
		}
	}
	if roundHalfEven(2.5) != 2 || roundHalfEven(3.5) != 4 {
		t.Error("np.round is half to even")
	}
}

func TestSigmaToT(t *testing.T) {
	tr, _ := newTraining(resolve(EulerDiscrete, eulerDefaults, sdxlConfig()), true)
	for _, ti := range []int{0, 1, 500, 998, 999} {
		if got := sigmaToT(float64(tr.sigmas[ti]), tr.logSigmas); got != float64(ti) {
			t.Errorf("sigma_to_t(σ[%d]) = %v", ti, got)
		}
	}
	mid := (float64(tr.sigmas[10]) + float64(tr.sigmas[11])) / 2
	if got := sigmaToT(mid, tr.logSigmas); got <= 10 || got >= 11 {
		t.Errorf("between σ[10] and σ[11]: t = %v", got)
	}
	if got := sigmaToT(0, tr.logSigmas); got != 0 {
		t.Errorf("σ below the table: t = %v, want 0", got)
	}
}

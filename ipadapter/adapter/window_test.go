package adapter

import "testing"

func TestWindowMultiplier(t *testing.T) {
	active := func(w Window, n int) []int {
		var steps []int
		for s := range n {
			if w.Multiplier(s, n) == 1 {
				steps = append(steps, s)
			} else if w.Multiplier(s, n) != 0 {
				t.Fatalf("multiplier %g", w.Multiplier(s, n))
			}
		}
		return steps
	}
	for _, tc := range []struct {
		w     Window
		n     int
		first int
		last  int
	}{
		{Window{}, 10, 0, 9},
		{Always, 30, 0, 29},
		{Window{0, 0.5}, 10, 0, 5},    // InvokeAI: last = ceil(0.5·10) inclusive
		{Window{0.3, 1}, 10, 3, 9},    // first = floor(0.3·10)
		{Window{0.25, 0.25}, 4, 1, 1}, // a point window still covers one step
	} {
		got := active(tc.w, tc.n)
		if len(got) == 0 || got[0] != tc.first || got[len(got)-1] != tc.last || len(got) != tc.last-tc.first+1 {
			t.Errorf("%+v over %d steps: active %v, want %d…%d", tc.w, tc.n, got, tc.first, tc.last)
		}
	}
	for _, bad := range []Window{{-0.1, 1}, {0.6, 0.5}, {0, 1.5}} {
		if bad.Validate() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

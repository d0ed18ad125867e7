package timing

import "testing"

func TestSummary(t *testing.T) {
	for _, tc := range []struct {
		times            []float64
		median, min, max float64
	}{
		{[]float64{3}, 3, 3, 3},
		{[]float64{5, 1, 3}, 3, 1, 5},
		{[]float64{4, 1, 3, 2}, 2.5, 1, 4},
	} {
		med, lo, hi := Summary(tc.times)
		if med != tc.median || lo != tc.min || hi != tc.max {
			t.Errorf("Summary(%v) = %v, %v, %v; want %v, %v, %v", tc.times, med, lo, hi, tc.median, tc.min, tc.max)
		}
	}
}

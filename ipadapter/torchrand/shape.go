package torchrand

import (
	"fmt"
	"math"
)

// numel checks a tensor shape and returns its element count. Like torch, a
// dimension of 0 gives an empty tensor and a negative one is an error.
func numel(shape []int) (int, error) {
	n := 1
	for i, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("torchrand: shape %v: dimension %d is negative", shape, i)
		}
		if d != 0 && n > math.MaxInt/d {
			return 0, fmt.Errorf("torchrand: shape %v has more elements than an int holds", shape)
		}
		n *= d
	}
	return n, nil
}

package weights

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
)

// naiveGather reads a strided view element by element, the definition
// gatherStrided must match.
func naiveGather(src []byte, es int, offset int64, size, stride []int64) []byte {
	var out []byte
	idx := make([]int64, len(size))
	numel := int64(1)
	for _, d := range size {
		numel *= d
	}
	for range numel {
		p := offset
		for k := range idx {
			p += idx[k] * stride[k]
		}
		out = append(out, src[p*int64(es):(p+1)*int64(es)]...)
		for k := len(idx) - 1; k >= 0; k-- {
			idx[k]++
			if idx[k] < size[k] {
				break
			}
			idx[k] = 0
		}
	}
	return out
}

// Random views (permuted, sliced, broadcast with stride 0, 0-d) gather the
// same bytes as the element-by-element definition.
func TestGatherStridedMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 2000 {
		rank := rng.IntN(5)
		size := make([]int64, rank)
		stride := make([]int64, rank)
		for i := range size {
			size[i] = 1 + rng.Int64N(4)
			stride[i] = rng.Int64N(7) // 0 broadcasts
		}
		if rank > 0 && rng.IntN(3) == 0 {
			copy(stride, rowMajorStrides(size)) // contiguous sometimes
		}
		offset := rng.Int64N(5)
		es := []int{1, 2, 4, 8}[rng.IntN(4)]
		numel, end, ok := viewExtent(offset, size, stride)
		if !ok {
			t.Fatalf("trial %d: extent of %v %v failed", trial, size, stride)
		}
		src := make([]byte, (end+int64(rng.IntN(3)))*int64(es))
		for i := range src {
			src[i] = byte(rng.Uint32())
		}
		want := naiveGather(src, es, offset, size, stride)
		got := make([]byte, numel*int64(es))
		gatherStrided(got, src, es, offset, size, stride)
		if !bytes.Equal(got, want) {
			t.Fatalf("trial %d: size %v stride %v offset %d es %d: gathered %v, want %v", trial, size, stride, offset, es, got, want)
		}
		if isContiguous(size, stride) {
			begin := offset * int64(es)
			if !bytes.Equal(src[begin:begin+numel*int64(es)], want) {
				t.Fatalf("trial %d: %v %v called contiguous but is not", trial, size, stride)
			}
		}
	}
}

func rowMajorStrides(size []int64) []int64 {
	s := make([]int64, len(size))
	acc := int64(1)
	for i := len(size) - 1; i >= 0; i-- {
		s[i] = acc
		acc *= size[i]
	}
	return s
}

func TestViewExtent(t *testing.T) {
	cases := []struct {
		offset       int64
		size, stride []int64
		numel, end   int64
		ok           bool
	}{
		{0, nil, nil, 1, 1, true},                                  // 0-d
		{3, []int64{2, 3}, []int64{3, 1}, 6, 9, true},              // contiguous at an offset
		{0, []int64{3, 2}, []int64{1, 3}, 6, 6, true},              // transposed
		{0, []int64{4, 0}, []int64{1, 1}, 0, 0, true},              // empty
		{0, []int64{5}, []int64{0}, 5, 1, true},                    // broadcast
		{-1, []int64{1}, []int64{1}, 0, 0, false},                  // negative offset
		{0, []int64{-2}, []int64{1}, 0, 0, false},                  // negative size
		{0, []int64{2}, []int64{-1}, 0, 0, false},                  // negative stride
		{0, []int64{1 << 40, 1 << 40}, []int64{1, 1}, 0, 0, false}, // numel overflows
		{0, []int64{3}, []int64{math.MaxInt64/2 + 1}, 0, 0, false}, // extent overflows
		{math.MaxInt64, []int64{1}, []int64{1}, 0, 0, false},       // end overflows
	}
	for _, c := range cases {
		numel, end, ok := viewExtent(c.offset, c.size, c.stride)
		if ok != c.ok || (ok && (numel != c.numel || end != c.end)) {
			t.Errorf("viewExtent(%d, %v, %v) = %d, %d, %v; want %d, %d, %v", c.offset, c.size, c.stride, numel, end, ok, c.numel, c.end, c.ok)
		}
	}
}

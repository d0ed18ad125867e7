package weights

import "math"

// Torch tensors are strided views of a storage: element (i0, i1, ...) is at
// offset + Σ ik·stride[k]. Checkpoints almost always hold contiguous
// (row-major) views, which are read as one slice of the file with no copy;
// the rest (a transposed weight saved as is, a slice of a bigger storage
// with gaps) are gathered into a fresh row-major buffer when read.

// viewExtent returns the number of elements of a view and one past the
// highest storage element it touches (0 when the view is empty). ok is
// false when a size or stride is negative or the arithmetic overflows.
func viewExtent(offset int64, size, stride []int64) (numel, end int64, ok bool) {
	if offset < 0 {
		return 0, 0, false
	}
	numel = 1
	last := offset // highest element index touched
	for i, d := range size {
		s := stride[i]
		if d < 0 || s < 0 {
			return 0, 0, false
		}
		if d == 0 {
			numel = 0
			continue
		}
		if numel > math.MaxInt64/d {
			return 0, 0, false
		}
		numel *= d
		if s > 0 && d-1 > (math.MaxInt64-last)/s {
			return 0, 0, false
		}
		last += (d - 1) * s
	}
	if numel == 0 {
		return 0, 0, true
	}
	if last == math.MaxInt64 {
		return 0, 0, false
	}
	return numel, last + 1, true
}

// isContiguous reports whether a view with these strides is row-major
// (dimensions of size 1 may have any stride, as in torch).
func isContiguous(size, stride []int64) bool {
	want := int64(1)
	for i := len(size) - 1; i >= 0; i-- {
		if size[i] == 0 {
			return true
		}
		if size[i] != 1 && stride[i] != want {
			return false
		}
		want *= size[i]
	}
	return true
}

// gatherStrided copies the view's elements (elemSize bytes each) from src
// into dst in row-major order. The caller has checked the view's extent
// against src and sized dst to numel·elemSize.
func gatherStrided(dst, src []byte, elemSize int, offset int64, size, stride []int64) {
	rank := len(size)
	if rank == 0 {
		copy(dst, src[offset*int64(elemSize):][:elemSize])
		return
	}
	// Copy along the innermost dimension; runs are contiguous when its
	// stride is 1.
	inner := size[rank-1]
	innerStride := stride[rank-1]
	idx := make([]int64, rank-1)
	pos := offset // storage element of idx, innermost index 0
	out := 0
	es := int64(elemSize)
	for {
		if innerStride == 1 {
			n := int(inner * es)
			copy(dst[out:out+n], src[pos*es:])
			out += n
		} else {
			for j := range inner {
				p := (pos + j*innerStride) * es
				copy(dst[out:out+elemSize], src[p:p+es])
				out += elemSize
			}
		}
		// Advance the outer indices like an odometer.
		k := rank - 2
		for ; k >= 0; k-- {
			idx[k]++
			pos += stride[k]
			if idx[k] < size[k] {
				break
			}
			pos -= idx[k] * stride[k]
			idx[k] = 0
		}
		if k < 0 {
			return
		}
	}
}

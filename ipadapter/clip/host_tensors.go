package clip

import (
	"fmt"
	"slices"

	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
)

// Host-side assembly of prompt embeddings: the pieces are small (B × 77 ×
// 2048 values), so concatenating and repeating them on the host costs less
// than compiling graphs for every batch layout. They work on raw bytes, so
// any dtype goes.

// leadingRows returns a copy of a tensor's data split along its leading
// axis: rows[b] holds the bytes of x[b].
func leadingRows(x *tensors.Tensor) ([][]byte, error) {
	var data []byte
	if err := x.ConstBytes(func(b []byte) { data = slices.Clone(b) }); err != nil {
		return nil, err
	}
	n := x.Shape().Dimensions[0]
	size := len(data) / n
	rows := make([][]byte, n)
	for i := range rows {
		rows[i] = data[i*size : (i+1)*size]
	}
	return rows, nil
}

// selectRows returns x[from:to] (along the leading axis), copying only
// those rows.
func selectRows(x *tensors.Tensor, from, to int) (*tensors.Tensor, error) {
	dims := slices.Clone(x.Shape().Dimensions)
	var data []byte
	if err := x.ConstBytes(func(b []byte) {
		size := len(b) / dims[0]
		data = slices.Clone(b[from*size : to*size])
	}); err != nil {
		return nil, err
	}
	dims[0] = to - from
	return tensors.FromRaw(nil, 0, shapes.Make(x.DType(), dims...), data)
}

// concatLastAxis is torch.concat(xs, dim=-1) for tensors that agree on
// every other axis and on dtype.
func concatLastAxis(xs ...*tensors.Tensor) (*tensors.Tensor, error) {
	first := xs[0].Shape()
	lead := first.Dimensions[:first.Rank()-1]
	outer := 1
	for _, d := range lead {
		outer *= d
	}
	var chunks [][]byte
	total := 0
	for _, x := range xs {
		s := x.Shape()
		if s.DType != first.DType || !slices.Equal(s.Dimensions[:s.Rank()-1], lead) {
			return nil, fmt.Errorf("cannot concatenate %s and %s along the last axis", first, s)
		}
		var data []byte
		if err := x.ConstBytes(func(b []byte) { data = slices.Clone(b) }); err != nil {
			return nil, err
		}
		chunks = append(chunks, data)
		total += s.Dimensions[s.Rank()-1]
	}
	out := make([]byte, 0, outer*total*first.DType.Size())
	for i := range outer {
		for _, data := range chunks {
			n := len(data) / outer
			out = append(out, data[i*n:(i+1)*n]...)
		}
	}
	dims := append(slices.Clone(lead), total)
	return tensors.FromRaw(nil, 0, shapes.Make(first.DType, dims...), out)
}

// repeatRows repeats each leading row n times consecutively, as diffusers'
// x.repeat(1, n, 1).view(B·n, …) does: [p0, p0, p1, p1] for n = 2.
func repeatRows(x *tensors.Tensor, n int) (*tensors.Tensor, error) {
	if n == 1 {
		return x, nil
	}
	rows, err := leadingRows(x)
	if err != nil {
		return nil, err
	}
	var out []byte
	for _, r := range rows {
		for range n {
			out = append(out, r...)
		}
	}
	dims := slices.Clone(x.Shape().Dimensions)
	dims[0] *= n
	return tensors.FromRaw(nil, 0, shapes.Make(x.DType(), dims...), out)
}

// zerosLike is torch.zeros_like(x) on the host.
func zerosLike(x *tensors.Tensor) *tensors.Tensor {
	return tensors.FromShape(x.Shape())
}

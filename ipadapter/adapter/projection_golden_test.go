package adapter

import (
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// TestImageProjGolden runs each image_proj case's adapter file (as listed,
// and its other-format twin) through the projection and compares with
// diffusers' output. in.x rows are single images, so they enter as [M, 1, …].
func TestImageProjGolden(t *testing.T) {
	golden.ForGroup(t, "image_proj", func(t *testing.T, c *golden.Case) {
		paths, err := c.ResourcePaths("adapters")
		if err != nil || len(paths) != 1 {
			t.Fatalf("adapters %v: %v", paths, err)
		}
		x := caseTensor(t, c, "in.x")
		dims := x.Shape().Dimensions
		in := tensors.FromFlatDataAndDimensions(tensors.MustCopyFlatData[float32](x), append([]int{dims[0], 1}, dims[1:]...)...)
		var outs [][]float32
		for _, p := range []string{paths[0], twin(paths[0])} {
			f := openFile(t, p)
			if len(f.Layers) == 0 {
				t.Fatal("no ip_adapter layers read")
			}
			proj, err := NewProjector([]*File{f}, testutil.Backend(t), nn.Options{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := proj.Project(in)
			if err != nil {
				t.Fatal(err)
			}
			gd := got[0].Shape().Dimensions // [M, 1, T, D]
			shape := append([]int{gd[0]}, gd[2:]...)
			vals := tensors.MustCopyFlatData[float32](got[0])
			t.Logf("%s (%s, %d tokens)", f.Name, f.Kind(), f.Projection.Tokens)
			golden.AssertClose(t, c, "out.y", vals, shape)
			outs = append(outs, vals)
		}
		if !slices.Equal(outs[0], outs[1]) {
			t.Errorf("%s and its twin give different tokens", paths[0])
		}
	})
}

// twin is the other format of an h94 adapter file (.bin ↔ .safetensors).
func twin(path string) string {
	if p, ok := strings.CutSuffix(path, ".bin"); ok {
		return p + ".safetensors"
	}
	return strings.TrimSuffix(path, ".safetensors") + ".bin"
}

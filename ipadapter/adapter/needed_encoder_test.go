package adapter

import (
	"strings"
	"testing"
)

// TestNeededEncoder: the released encoders are named with where to get
// them; an unknown width is described by what it must have.
func TestNeededEncoder(t *testing.T) {
	for _, tc := range []struct {
		p    ProjectionConfig
		want string
	}{
		{ProjectionConfig{Kind: Plus, EmbedDim: 1280}, "the ViT-H/14 image encoder (hidden 1280, projection 1024): h94/IP-Adapter models/image_encoder"},
		{ProjectionConfig{Kind: Plain, EmbedDim: 1280}, "the ViT-bigG/14 image encoder"},
		{ProjectionConfig{Kind: Plain, EmbedDim: 1024}, "the ViT-H/14 image encoder"},
		{ProjectionConfig{Kind: Plus, EmbedDim: 32}, "an image encoder with hidden size 32"},
	} {
		f := &File{Name: "x", Projection: tc.p}
		if got := f.NeededEncoder(); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s adapter reading %d wide: %q, want %q…", tc.p.Kind, tc.p.EmbedDim, got, tc.want)
		}
	}
}

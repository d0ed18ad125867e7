package legacy

import (
	"slices"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

func TestVAEAttention(t *testing.T) {
	src := testutil.OpenSafetensors(t, []weights.Named{
		testutil.Float32Named("decoder.mid_block.attentions.0.query.weight", []int{1}, []float32{1}),
		testutil.Float32Named("decoder.mid_block.attentions.0.proj_attn.bias", []int{1}, []float32{2}),
		testutil.Float32Named("decoder.conv_in.weight", []int{1}, []float32{3}),
	})
	v := VAEAttention(src)
	want := []string{"decoder.conv_in.weight", "decoder.mid_block.attentions.0.to_out.0.bias", "decoder.mid_block.attentions.0.to_q.weight"}
	if got := weights.Names(v); !slices.Equal(got, want) {
		t.Errorf("names %v, want %v", got, want)
	}
	if _, ok := v.Info("decoder.mid_block.attentions.0.query.weight"); ok {
		t.Error("a renamed tensor is still visible under its old name")
	}
	if info, ok := v.Info("decoder.mid_block.attentions.0.to_q.weight"); !ok || info.Name != "decoder.mid_block.attentions.0.to_q.weight" {
		t.Errorf("Info(to_q) = %v, %v", info, ok)
	}
	if b, err := v.Bytes("decoder.mid_block.attentions.0.to_out.0.bias"); err != nil || !slices.Equal(b, testutil.Float32Named("", nil, []float32{2}).Data) {
		t.Errorf("Bytes(to_out.0.bias) = %v, %v", b, err)
	}
	current := weights.WithPrefix(v, "decoder")
	if got := VAEAttention(current); got != current {
		t.Error("a source without legacy names was wrapped")
	}
}

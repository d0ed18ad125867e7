package adapter

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// failingSource is an adapter file whose ip_adapter tensors fail to read
// after the first few: a file that breaks half-way through loading.
type failingSource struct {
	weights.Source
	reads, after int
}

func (s *failingSource) Bytes(name string) ([]byte, error) {
	if strings.HasPrefix(name, "ip_adapter.") {
		if s.reads++; s.reads > s.after {
			return nil, errors.New("simulated read error")
		}
	}
	return s.Source.Bytes(name)
}

// TestFailedAttachKeepsAdapters: a replacement whose weights fail to read
// half-way leaves the previous adapter loaded, bitwise as it predicted
// before and without recompiling; a later good replacement still works.
func TestFailedAttachKeepsAdapters(t *testing.T) {
	c, m, ad, embeds := loadPlainAdapter(t)
	if err := ad.SetScale(Scale(0.7)); err != nil {
		t.Fatal(err)
	}
	predict := func(ad *Adapters) []float32 {
		t.Helper()
		cond, err := ad.Prepare(Request{Embeds: []*ImageEmbeds{embeds}, Batch: 1, CFG: true})
		if err != nil {
			t.Fatal(err)
		}
		in := baseInputs(t, c)
		if in.IP, err = cond.Inputs(0, 1); err != nil {
			t.Fatal(err)
		}
		out, err := m.Predict(in)
		if err != nil {
			t.Fatal(err)
		}
		return tensors.MustCopyFlatData[float32](out)
	}
	before := predict(ad)
	compiled := m.Compilations()

	paths, _ := c.ResourcePaths("adapters")
	raw, err := weights.Open(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	broken, err := FromSource("broken.safetensors", &failingSource{Source: raw, after: 5})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Attach(m, broken)
	wantError(t, err, "broken.safetensors", "simulated read error")
	if !ad.Loaded() {
		t.Fatal("the previous adapter's weights are gone after a failed replacement")
	}
	if got := predict(ad); !slices.Equal(got, before) {
		t.Error("the previous adapter predicts differently after a failed replacement")
	}
	if got := m.Compilations(); got != compiled {
		t.Errorf("%d UNet compilations after a failed replacement, want %d (nothing changed)", got, compiled)
	}
	for v := range m.Store().IterVariables() {
		if strings.HasPrefix(v.Path(), stashRoot) {
			t.Fatalf("%s left aside in the store", v.Path())
		}
	}

	again, err := Load(m, paths...)
	if err != nil {
		t.Fatal(err)
	}
	ad.Projector().Close()
	if err := again.SetScale(Scale(0.7)); err != nil {
		t.Fatal(err)
	}
	if got := predict(again); !slices.Equal(got, before) {
		t.Error("reloading the same adapter after a failed replacement predicts differently")
	}
}

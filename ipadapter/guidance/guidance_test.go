package guidance

import (
	"math"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/torchrand"
)

func TestEnabled(t *testing.T) {
	if !Enabled(5, false) || Enabled(1, false) || Enabled(0.5, false) || Enabled(7.5, true) {
		t.Error("CFG is on iff scale > 1 and no time_cond_proj_dim")
	}
}

func TestCombine(t *testing.T) {
	u := []float32{1, -2, 0.5}
	c := []float32{2, -2, -0.5}
	got, err := Combine(u, c, 5)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{6, -2, -4.5}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	// Scale 1 gives the cond prediction (u + (c−u) may round, but not here).
	one, _ := Combine(u, c, 1)
	for i := range c {
		if one[i] != c[i] {
			t.Errorf("scale 1: %v, want %v", one[i], c[i])
		}
	}
	// The rounding order: u + float32(g·float32(c−u)).
	g := torchrand.NewGenerator(3)
	uu, _ := g.Randn(1000)
	cc, _ := g.Randn(1000)
	got, _ = Combine(uu, cc, 7.5)
	for i := range uu {
		d := cc[i] - uu[i]
		if w := uu[i] + float32(float32(7.5)*d); got[i] != w {
			t.Fatalf("[%d] = %v, want %v", i, got[i], w)
		}
	}
	if _, err := Combine(u, c[:2], 5); err == nil {
		t.Error("length mismatch accepted")
	}
}

func TestCombineBatch(t *testing.T) {
	out := []float32{1, 2, 3, 5}
	got, err := CombineBatch(out, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != 5 || got[1] != 8 {
		t.Errorf("got %v, want [5 8]", got)
	}
	if _, err := CombineBatch([]float32{1, 2, 3}, 2); err == nil || !strings.Contains(err.Error(), "two equal halves") {
		t.Errorf("odd batch: %v", err)
	}
}

// Rescale against a direct float64 evaluation of rescale_noise_cfg, and
// its defining property: with φ = 1 each row's std equals the text row's.
func TestRescale(t *testing.T) {
	g := torchrand.NewGenerator(11)
	eps, _ := g.Randn(2, 4, 8, 8)
	txt, _ := g.Randn(2, 4, 8, 8)
	for i := range txt {
		txt[i] *= 0.5
	}
	for _, phi := range []float64{0, 0.3, 0.7, 1} {
		got, err := Rescale(eps, txt, 2, phi)
		if err != nil {
			t.Fatal(err)
		}
		row := len(eps) / 2
		for b := range 2 {
			st := stdRef(txt[b*row : (b+1)*row])
			se := stdRef(eps[b*row : (b+1)*row])
			for i := b * row; i < (b+1)*row; i++ {
				e := float64(eps[i])
				want := phi*e*(st/se) + (1-phi)*e
				if math.Abs(float64(got[i])-want) > 1e-6*(1+math.Abs(want)) {
					t.Fatalf("φ=%v [%d] = %v, want %v", phi, i, got[i], want)
				}
			}
			if phi == 1 {
				if s := stdRef(got[b*row : (b+1)*row]); math.Abs(s-st) > 1e-6 {
					t.Errorf("row %d std after full rescale %v, want %v", b, s, st)
				}
			}
		}
		if phi == 0 {
			for i := range eps {
				if got[i] != eps[i] {
					t.Fatalf("φ=0 changed element %d", i)
				}
			}
		}
	}
	if _, err := Rescale(eps, txt[:10], 2, 0.5); err == nil {
		t.Error("length mismatch accepted")
	}
	if _, err := Rescale(eps, txt, 3, 0.5); err == nil {
		t.Error("batch that does not divide accepted")
	}
	if _, err := Rescale([]float32{1, 2}, []float32{1, 2}, 2, 0.5); err == nil {
		t.Error("one-element rows accepted")
	}
}

func stdRef(x []float32) float64 {
	var m float64
	for _, v := range x {
		m += float64(v)
	}
	m /= float64(len(x))
	var s float64
	for _, v := range x {
		s += (float64(v) - m) * (float64(v) - m)
	}
	return math.Sqrt(s / float64(len(x)-1))
}

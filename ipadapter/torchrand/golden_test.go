package torchrand

import (
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
)

// TestGoldenRNG reproduces every rng case bit for bit. What each output is
// follows from its name, as the case's "call" describes: randn_<shape> from
// a fresh generator (one per params.shapes entry), seq.<letter>_<shape> as
// successive calls on one generator in letter order, uniform_rand_<n> and
// float64_randn_<n> from fresh generators. The shape comes from the index.
func TestGoldenRNG(t *testing.T) {
	golden.ForGroup(t, "rng", func(t *testing.T, c *golden.Case) {
		var seed uint64
		if _, err := c.Param("seed", &seed); err != nil {
			t.Fatal(err)
		}
		var shapes [][]int
		if _, err := c.Param("shapes", &shapes); err != nil {
			t.Fatal(err)
		}
		for _, s := range shapes {
			if _, ok := c.Outputs["out.randn_"+shapeName(s)]; !ok {
				t.Errorf("params.shapes has %v but no output out.randn_%s", s, shapeName(s))
			}
		}
		var seq []string
		for name := range c.Outputs {
			if strings.HasPrefix(name, "out.seq.") {
				seq = append(seq, name)
			}
		}
		sort.Strings(seq)
		seqGen := NewGenerator(seed)
		for name, spec := range c.Outputs {
			if strings.HasPrefix(name, "out.seq.") {
				continue
			}
			g := NewGenerator(seed)
			switch {
			case strings.HasPrefix(name, "out.randn_"):
				got, err := g.Randn(spec.Shape...)
				checkExact32(t, c, name, got, err)
			case strings.HasPrefix(name, "out.uniform_rand_"):
				got, err := g.Rand(spec.Shape...)
				checkExact32(t, c, name, got, err)
			case strings.HasPrefix(name, "out.float64_randn_"):
				got, err := g.RandnFloat64(spec.Shape...)
				checkExact64(t, c, name, got, err)
			default:
				t.Errorf("output %s: no rule for how it was drawn", name)
			}
		}
		if len(seq) == 0 {
			t.Error("no seq.* outputs: the stream continuation is untested")
		}
		for _, name := range seq {
			got, err := seqGen.Randn(c.Outputs[name].Shape...)
			checkExact32(t, c, name, got, err)
		}
	})
}

func shapeName(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = itoa(d)
	}
	return strings.Join(parts, "x")
}

func itoa(d int) string {
	if d == 0 {
		return "0"
	}
	var b []byte
	for ; d > 0; d /= 10 {
		b = append([]byte{byte('0' + d%10)}, b...)
	}
	return string(b)
}

func checkExact32(t *testing.T, c *golden.Case, name string, got []float32, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	want, _, err := c.Float32s(name)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", name, len(got), len(want))
		return
	}
	bad, first := 0, -1
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			if first < 0 {
				first = i
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d/%d values not bit-identical; first at %d: got %.9g want %.9g", name, bad, len(got), first, got[first], want[first])
	}
}

func checkExact64(t *testing.T, c *golden.Case, name string, got []float64, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	want, _, err := c.Float64s(name)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", name, len(got), len(want))
		return
	}
	for i := range got {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Errorf("%s[%d]: got %.17g want %.17g", name, i, got[i], want[i])
		}
	}
}

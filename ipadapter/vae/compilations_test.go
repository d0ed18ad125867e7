package vae

import "testing"

// TestCompilationsCountEveryGraph: a new model has compiled nothing; each
// graph compiles once per input shape, and Compilations sums all three;
// running a shape again adds nothing.
func TestCompilationsCountEveryGraph(t *testing.T) {
	m := randomModel(t, smallConfig())
	if n := m.Compilations(); n != 0 {
		t.Fatalf("a new model counts %d compilations, want 0", n)
	}
	z, _ := randomTensor(1, 1, 4, 3, 5)
	x, _ := randomTensor(2, 1, 3, 16, 8)
	steps := []struct {
		what string
		run  func() error
		want int
	}{
		{"Decode", func() error { _, err := m.Decode(z); return err }, 1},
		{"DecodeLatents", func() error { _, err := m.DecodeLatents(z); return err }, 2},
		{"Encode", func() error { _, err := m.Encode(x); return err }, 3},
		{"Decode again", func() error { _, err := m.Decode(z); return err }, 3},
		{"Decode of another size", func() error {
			z2, _ := randomTensor(3, 1, 4, 4, 4)
			_, err := m.Decode(z2)
			return err
		}, 4},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
		if got := m.Compilations(); got != s.want {
			t.Errorf("after %s: %d compilations, want %d", s.what, got, s.want)
		}
	}
	if sum := m.decode.Compilations() + m.decodeLatents.Compilations() + m.encode.Compilations(); sum != m.Compilations() {
		t.Errorf("Compilations %d, the graphs' counts sum to %d", m.Compilations(), sum)
	}
	m.Finalize()
	if got := m.Compilations(); got != 4 {
		t.Errorf("after Finalize: %d compilations, want the 4 counted", got)
	}
}

package tokenizer

import (
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
)

// fixtureCase returns the first tokenizer case of the fixture index, for
// tests that need the real CLIP vocabulary and prompts rather than a
// specific case.
func fixtureCase(t testing.TB) *golden.Case {
	t.Helper()
	cases := golden.Load(t).Group("tokenizer")
	if len(cases) == 0 {
		t.Skip("the fixture set has no tokenizer cases")
	}
	return cases[0]
}

// fixtureTokenizer loads a tokenizer component of the fixture case
// ("tokenizer" or "tokenizer_2") with default (no-ftfy) clean-up.
func fixtureTokenizer(t testing.TB, c *golden.Case, component string) (*Tokenizer, string) {
	t.Helper()
	dir, err := c.Component(component)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return tok, dir
}

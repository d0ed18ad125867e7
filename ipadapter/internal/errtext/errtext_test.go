package errtext

import "testing"

func TestAbbreviate(t *testing.T) {
	items := []string{"a", "b", "c", "d"}
	for _, tc := range []struct{ got, want string }{
		{Abbreviate(items, 4), "a, b, c, d"},
		{Abbreviate(items, 2), "a, b and 2 more"},
		{AbbreviateList(items, 4), "[a b c d]"},
		{AbbreviateList(items, 3), "[a b c] and 1 more"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

package imagegrid

import (
	"strings"
	"testing"
)

func testFaces(t *testing.T) *faces {
	t.Helper()
	f, err := newFaces(14)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.close)
	return f
}

func TestTruncate(t *testing.T) {
	face := testFaces(t).regular
	if got := truncate(face, "scale 0.25", 1000); got != "scale 0.25" {
		t.Errorf("text that fits was changed to %q", got)
	}
	long := "deformed, ugly, wrong proportion, low res"
	width := textWidth(face, long) / 2
	got := truncate(face, long, width)
	if !strings.HasSuffix(got, ellipsis) || !strings.HasPrefix(long, strings.TrimSuffix(got, ellipsis)) {
		t.Errorf("truncated to %q, want a prefix of %q ending in %q", got, long, ellipsis)
	}
	if w := textWidth(face, got); w > width {
		t.Errorf("truncated text is %d pixels wide, more than %d", w, width)
	}
	if got := truncate(face, long, 1); got != "" {
		t.Errorf("nothing fits in 1 pixel, got %q", got)
	}
}

func TestWrap(t *testing.T) {
	face := testFaces(t).bold
	prompt := "a polar bear sitting in a chair drinking a milkshake"
	width := textWidth(face, "a polar bear sitting")
	lines := wrap(face, prompt, width, 10)
	if len(lines) < 2 {
		t.Fatalf("wrapped into %q, want several lines", lines)
	}
	if got := strings.Join(lines, " "); got != prompt {
		t.Errorf("wrapping lost words: %q", got)
	}
	for _, l := range lines {
		if textWidth(face, l) > width {
			t.Errorf("line %q is wider than %d", l, width)
		}
	}
	// A word longer than a line is cut, not left to overflow.
	word := strings.Repeat("w", 40)
	for _, l := range wrap(face, word, width, 10) {
		if textWidth(face, l) > width {
			t.Errorf("line %q of a long word is wider than %d", l, width)
		}
	}
	// Too many lines: the last kept one says that text was left out.
	capped := wrap(face, prompt, width, 2)
	if len(capped) != 2 || !strings.HasSuffix(capped[1], ellipsis) {
		t.Errorf("capped to %q, want 2 lines, the last ending in %q", capped, ellipsis)
	}
}

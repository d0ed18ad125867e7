package torchrand

import (
	"slices"
	"strings"
	"testing"
)

func TestRandnTensorOneGenerator(t *testing.T) {
	got, err := RandnTensor([]int{2, 4, 3, 3}, NewGenerator(11))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := NewGenerator(11).Randn(2, 4, 3, 3)
	if !slices.Equal(got, want) {
		t.Error("one generator: not torch.randn(shape)")
	}
}

// With a list of generators each row is its own randn((1,)+shape[1:]) call:
// here rows of 12 elements take the per-element double path although the
// whole tensor has 24.
func TestRandnTensorGeneratorPerRow(t *testing.T) {
	got, err := RandnTensor([]int{2, 3, 4}, NewGenerator(1), NewGenerator(2))
	if err != nil {
		t.Fatal(err)
	}
	r0, _ := NewGenerator(1).Randn(1, 3, 4)
	r1, _ := NewGenerator(2).Randn(1, 3, 4)
	if !slices.Equal(got, append(r0, r1...)) {
		t.Error("rows are not the per-generator draws")
	}
	whole, _ := NewGenerator(1).Randn(2, 3, 4)
	if slices.Equal(got[:12], whole[:12]) {
		t.Error("row 0 equals the block-path draw; the per-row path was not used")
	}
}

func TestRandnTensorErrors(t *testing.T) {
	if _, err := RandnTensor([]int{2, 4}); err == nil || !strings.Contains(err.Error(), "global generator") {
		t.Errorf("no generator: err = %v", err)
	}
	_, err := RandnTensor([]int{3, 4}, NewGenerator(1), NewGenerator(2))
	if err == nil || !strings.Contains(err.Error(), "length 2") || !strings.Contains(err.Error(), "batch size of 3") {
		t.Errorf("wrong generator count: err = %v", err)
	}
	if _, err := RandnTensor([]int{2, 4}, NewGenerator(1), nil); err == nil {
		t.Error("nil generator accepted")
	}
	if _, err := RandnTensor([]int{-2, 4}, NewGenerator(1)); err == nil {
		t.Error("negative shape accepted")
	}
}

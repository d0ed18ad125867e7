package golden

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// Tolerance is how close a result must be: exact (bitwise for floats) or
// |got − want| ≤ Atol + Rtol·|want| element-wise.
type Tolerance struct {
	Exact bool    `json:"exact"`
	Atol  float64 `json:"atol"`
	Rtol  float64 `json:"rtol"`
}

func (t Tolerance) String() string {
	if t.Exact {
		return "exact"
	}
	return fmt.Sprintf("atol=%g rtol=%g", t.Atol, t.Rtol)
}

// parseTolerance reads one tolerance value: an object or the string "exact".
func parseTolerance(raw json.RawMessage) (Tolerance, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return Tolerance{Exact: s == "exact"}, s == "exact"
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return Tolerance{}, false
	}
	_, hasAtol := obj["atol"]
	_, hasExact := obj["exact"]
	if !hasAtol && !hasExact {
		return Tolerance{}, false
	}
	var t Tolerance
	if json.Unmarshal(raw, &t) != nil {
		return Tolerance{}, false
	}
	return t, true
}

// Tolerance returns the tolerance for an output ("out.n4.sigmas" or
// "sigmas"). A case has either one tolerance for all outputs or one per
// output kind, keyed by the output's name without "out." or by its last
// dotted part. ok is false when the case gives none for this output.
func (c *Case) Tolerance(output string) (tol Tolerance, ok bool) {
	if t, ok := parseTolerance(c.Tolerances); ok {
		return t, true
	}
	var per map[string]json.RawMessage
	if json.Unmarshal(c.Tolerances, &per) != nil {
		return Tolerance{}, false
	}
	name := strings.TrimPrefix(output, "out.")
	keys := []string{name}
	if i := strings.LastIndex(name, "."); i >= 0 {
		keys = append(keys, name[i+1:])
	}
	for _, k := range keys {
		if raw, found := per[k]; found {
			return parseTolerance(raw)
		}
	}
	return Tolerance{}, false
}

// Report summarises a comparison.
type Report struct {
	N          int     // elements compared
	Fails      int     // elements outside the tolerance
	MaxAbs     float64 // largest |got − want|
	MaxRel     float64 // largest |got − want| / |want| over want ≠ 0
	Worst      int     // flat index of the element furthest outside (or with MaxAbs when none fail)
	WorstGot   float64
	WorstWant  float64
	ShapeError string // non-empty when shapes differ (then nothing was compared)
}

// OK reports whether everything compared was within the tolerance.
func (r Report) OK() bool { return r.ShapeError == "" && r.Fails == 0 }

func (r Report) String() string {
	if r.ShapeError != "" {
		return r.ShapeError
	}
	return fmt.Sprintf("%d/%d outside; max abs %.3g, max rel %.3g; worst at %d: got %.9g want %.9g",
		r.Fails, r.N, r.MaxAbs, r.MaxRel, r.Worst, r.WorstGot, r.WorstWant)
}

// Number is what Compare accepts.
type Number interface {
	~float32 | ~float64 | ~int64 | ~int32 | ~int
}

// Compare compares got with want under tol. Shapes are compared when both
// are given (nil skips the check).
func Compare[T Number](got, want []T, gotShape, wantShape []int, tol Tolerance) Report {
	var r Report
	if gotShape != nil && wantShape != nil && !slices.Equal(gotShape, wantShape) {
		r.ShapeError = fmt.Sprintf("shape %v, want %v", gotShape, wantShape)
		return r
	}
	if len(got) != len(want) {
		r.ShapeError = fmt.Sprintf("%d elements, want %d", len(got), len(want))
		return r
	}
	r.N = len(got)
	worstExcess := math.Inf(-1)
	for i := range got {
		g, w := float64(got[i]), float64(want[i])
		d := math.Abs(g - w)
		bad := false
		if tol.Exact {
			bad = !(g == w || (math.IsNaN(g) && math.IsNaN(w)))
		} else {
			bad = !(d <= tol.Atol+tol.Rtol*math.Abs(w)) // NaN fails
		}
		if math.IsNaN(d) {
			d = math.Inf(1)
		}
		if d > r.MaxAbs {
			r.MaxAbs = d
		}
		if w != 0 && d/math.Abs(w) > r.MaxRel {
			r.MaxRel = d / math.Abs(w)
		}
		excess := d - tol.Atol - tol.Rtol*math.Abs(w)
		if bad {
			r.Fails++
		}
		if excess > worstExcess {
			worstExcess, r.Worst, r.WorstGot, r.WorstWant = excess, i, g, w
		}
	}
	return r
}

// AssertClose compares got against the case output named want (e.g.
// "out.noise_pred") with the case's tolerance for it, failing t with the
// max abs/rel error and the worst index. It logs the report either way, so
// `go test -v` shows how close each output is.
func AssertClose(t testing.TB, c *Case, want string, got []float32, gotShape []int) Report {
	t.Helper()
	tol, ok := c.Tolerance(want)
	if !ok {
		t.Fatalf("case %s gives no tolerance for %s", c.ID, want)
	}
	return AssertCloseTol(t, c, want, got, gotShape, tol)
}

// AssertCloseTol is AssertClose with an explicit tolerance, for outputs the
// case gives none for (say why at the call).
func AssertCloseTol(t testing.TB, c *Case, want string, got []float32, gotShape []int, tol Tolerance) Report {
	t.Helper()
	w, wShape, err := c.Float32s(want)
	if err != nil {
		t.Fatal(err)
		return Report{}
	}
	r := Compare(got, w, gotShape, wShape, tol)
	if !r.OK() {
		t.Errorf("%s (%s): %s", want, tol, r)
	} else {
		t.Logf("%s (%s): %s", want, tol, r)
	}
	return r
}

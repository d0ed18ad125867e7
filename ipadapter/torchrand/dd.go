package torchrand

import "math"

// Double-double arithmetic (an unevaluated sum hi + lo of two float64s,
// about 106 bits), used to compute log, sin and cos correctly rounded.
//
// Why: torch's double Box–Muller calls glibc's log/sin/cos, and the float64
// outputs show their last bit. Go's math.Log/Sin differ from the correctly
// rounded value for about 7% / 20% of arguments in (0,1] / [0,2π); glibc
// (error bound ~0.52 ulp) for about 0.1%, always by one ulp at a near-tie.
// So the correctly rounded value is glibc's in all but those rare near-ties
// — it reproduces every float64 fixture — and is the best portable stand-in
// short of porting glibc's table-driven algorithms. The float32 outputs of
// the small path round the double again and are not affected in practice.

type dd struct{ hi, lo float64 }

func twoSum(a, b float64) dd {
	s := a + b
	bb := s - a
	e := (a - (s - bb)) + (b - bb)
	return dd{s, e}
}

func quickTwoSum(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

func twoProd(a, b float64) dd {
	p := a * b
	return dd{p, math.FMA(a, b, -p)}
}

func (a dd) add(b dd) dd {
	s := twoSum(a.hi, b.hi)
	t := twoSum(a.lo, b.lo)
	s.lo += t.hi
	s = quickTwoSum(s.hi, s.lo)
	s.lo += t.lo
	return quickTwoSum(s.hi, s.lo)
}

func (a dd) neg() dd { return dd{-a.hi, -a.lo} }

func (a dd) mul(b dd) dd {
	p := twoProd(a.hi, b.hi)
	p.lo += a.hi*b.lo + a.lo*b.hi
	return quickTwoSum(p.hi, p.lo)
}

func (a dd) div(b dd) dd {
	q1 := a.hi / b.hi
	r := a.add(b.mul(dd{q1, 0}).neg())
	q2 := r.hi / b.hi
	r = r.add(b.mul(dd{q2, 0}).neg())
	q3 := r.hi / b.hi
	return quickTwoSum(q1, q2).add(dd{q3, 0})
}

var (
	ddLn2  = dd{math.Float64frombits(0x3fe62e42fefa39ef), math.Float64frombits(0x3c7abc9e3b39803f)}
	pio2_1 = math.Float64frombits(0x3ff921fb54442d18)
	pio2_2 = math.Float64frombits(0x3c91a62633145c07)
	pio2_3 = math.Float64frombits(0xb91f1976b7ed8fbc)

	// logOdd[k] = 1/(2k+1) for the atanh series; invFact[n] = 1/n!.
	logOdd  [26]dd
	invFact [32]dd
)

func init() {
	for k := range logOdd {
		logOdd[k] = dd{1, 0}.div(dd{float64(2*k + 1), 0})
	}
	f := dd{1, 0}
	invFact[0] = f
	for n := 1; n < len(invFact); n++ {
		f = f.div(dd{float64(n), 0})
		invFact[n] = f
	}
}

// ddLog returns log(x) for finite x > 0, correctly rounded except in cases
// closer to a rounding boundary than about 2^-100 relative.
func ddLog(x float64) float64 {
	if !(x > 0) || math.IsInf(x, 1) {
		return math.Log(x)
	}
	m, e := math.Frexp(x)
	if m < math.Sqrt2/2 {
		m *= 2
		e--
	}
	// log m = 2 atanh(f), f = (m-1)/(m+1), |f| < 0.172.
	f := dd{m - 1, 0}.div(twoSum(m, 1))
	f2 := f.mul(f)
	s := logOdd[len(logOdd)-1]
	for k := len(logOdd) - 2; k >= 0; k-- {
		s = s.mul(f2).add(logOdd[k])
	}
	r := f.mul(s)
	r = r.add(r)
	r = r.add(ddLn2.mul(dd{float64(e), 0}))
	return r.hi + r.lo
}

// ddSincos returns sin x and cos x, correctly rounded in the same sense as
// ddLog, for |x| up to a few hundred (the reduction uses a 3-part π/2).
func ddSincos(x float64) (sin, cos float64) {
	if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1e5 {
		return math.Sincos(x)
	}
	k := math.RoundToEven(x * (2 / math.Pi))
	r := dd{x, 0}.add(twoProd(k, pio2_1).neg())
	r = r.add(twoProd(k, pio2_2).neg())
	r = r.add(dd{-k * pio2_3, 0})
	r2 := r.mul(r)
	// Horner in r² over the Taylor coefficients, to 1/31!.
	s := invFact[31]
	for n := 29; n >= 1; n -= 2 {
		s = s.mul(r2.neg()).add(invFact[n])
	}
	s = s.mul(r)
	c := invFact[30]
	for n := 28; n >= 0; n -= 2 {
		c = c.mul(r2.neg()).add(invFact[n])
	}
	sv, cv := s.hi+s.lo, c.hi+c.lo
	switch int64(k) & 3 {
	case 0:
		return sv, cv
	case 1:
		return cv, -sv
	case 2:
		return -sv, -cv
	default:
		return -cv, sv
	}
}

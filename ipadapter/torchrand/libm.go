package torchrand

// preciseLog and preciseSincos stand in for glibc's double log, sin and cos,
// which torch's double Box–Muller calls (see dd.go for how close they are).
func preciseLog(x float64) float64 { return ddLog(x) }

func preciseSincos(x float64) (sin, cos float64) { return ddSincos(x) }

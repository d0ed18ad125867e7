package torchrand

import "testing"

// BenchmarkRandnLatents measures randn for one SDXL-sized latent at
// 1024×1024/8 = 128×128 (1×4×128×128, the block path), per element.
func BenchmarkRandnLatents(b *testing.B) {
	g := NewGenerator(42)
	out := make([]float32, 4*128*128)
	b.SetBytes(int64(4 * len(out)))
	b.ResetTimer()
	for b.Loop() {
		g.RandnInto(out)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(out)), "ns/element")
}

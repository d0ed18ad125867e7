package tokenizer

import "testing"

// BenchmarkCall tokenises the fixture prompts as SDXL does (padding to 77,
// truncation), with the BPE cache warm (the steady state of a notebook).
func BenchmarkCall(b *testing.B) {
	tok, texts := benchSetup(b)
	b.ResetTimer()
	for b.Loop() {
		if _, err := tok.Call(texts, CallOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(texts))/b.Elapsed().Seconds(), "prompts/s")
}

// BenchmarkCallColdCache empties the BPE cache before every batch, so each
// distinct word goes through BPE once per batch.
func BenchmarkCallColdCache(b *testing.B) {
	tok, texts := benchSetup(b)
	b.ResetTimer()
	for b.Loop() {
		tok.cache = wordCache{}
		if _, err := tok.Call(texts, CallOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(texts))/b.Elapsed().Seconds(), "prompts/s")
}

func benchSetup(b *testing.B) (*Tokenizer, []string) {
	c := fixtureCase(b)
	tok, _ := fixtureTokenizer(b, c, "tokenizer")
	prompts := readGoldenPrompts(b, c)
	texts := make([]string, len(prompts))
	for i, p := range prompts {
		texts[i] = p.Text
	}
	return tok, texts
}

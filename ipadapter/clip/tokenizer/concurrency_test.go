package tokenizer

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
)

// Concurrent calls share the BPE cache and must give the same ids as a
// fresh, sequential tokenizer. Run with -race to check the locking.
func TestConcurrentCalls(t *testing.T) {
	c := fixtureCase(t)
	prompts := readGoldenPrompts(t, c)
	texts := make([]string, len(prompts))
	for i, p := range prompts {
		texts[i] = p.Text
	}
	fresh, _ := fixtureTokenizer(t, c, "tokenizer")
	want, err := fresh.Call(texts, CallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	shared, _ := fixtureTokenizer(t, c, "tokenizer")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for round := 0; round < 5; round++ {
				// Each goroutine starts at a different prompt so that
				// cache misses and hits interleave.
				rot := append(append([]string{}, texts[g:]...), texts[:g]...)
				got, err := shared.Call(rot, CallOptions{})
				if err != nil {
					errs <- err
					return
				}
				for i := range rot {
					j := (i + g) % len(texts)
					if !reflect.DeepEqual(got.InputIDs[i], want.InputIDs[j]) {
						errs <- fmt.Errorf("goroutine %d round %d: prompt %d differs", g, round, j)
						return
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// The cache is emptied, not grown, past maxCachedWords.
func TestCacheIsBounded(t *testing.T) {
	var c wordCache
	for i := 0; i < maxCachedWords+10; i++ {
		c.put(fmt.Sprint(i), cachedWord{})
	}
	if n := len(c.words); n != 10 {
		t.Errorf("cache holds %d words after overflowing, want 10", n)
	}
	if _, ok := c.get(fmt.Sprint(maxCachedWords + 9)); !ok {
		t.Error("the newest word is not cached")
	}
}

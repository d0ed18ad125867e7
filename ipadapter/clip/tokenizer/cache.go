package tokenizer

import "sync"

// maxCachedWords bounds the BPE cache. transformers' cache grows without
// limit; a notebook that tokenizes millions of distinct words should not,
// so the cache is simply emptied when it reaches this size.
const maxCachedWords = 1 << 16

// cachedWord is the BPE result of one pre-tokenised word: its vocabulary
// symbols and their ids.
type cachedWord struct {
	tokens []string
	ids    []int
}

// wordCache memoises BPE per word. Prompts repeat the same words ("a",
// "quality", ","), and BPE is the slow part, so long prompts and batches
// mostly hit the cache. It is safe for concurrent use.
type wordCache struct {
	mu    sync.RWMutex
	words map[string]cachedWord
}

func (c *wordCache) get(word string) (cachedWord, bool) {
	c.mu.RLock()
	w, ok := c.words[word]
	c.mu.RUnlock()
	return w, ok
}

func (c *wordCache) put(word string, w cachedWord) {
	c.mu.Lock()
	if c.words == nil || len(c.words) >= maxCachedWords {
		c.words = make(map[string]cachedWord)
	}
	c.words[word] = w
	c.mu.Unlock()
}

package tokenizer

// Tokenize returns the vocabulary symbols of text, like transformers'
// tokenizer.tokenize(text): added tokens as themselves, other words as
// their BPE symbols ("a</w>", "polar</w>", …). No BOS/EOS, no truncation.
func (t *Tokenizer) Tokenize(text string) []string {
	var out []string
	t.run(text, func(w cachedWord) { out = append(out, w.tokens...) })
	return out
}

// Encode returns the ids of text without BOS/EOS, padding or truncation
// (transformers' encode(text, add_special_tokens=False)).
func (t *Tokenizer) Encode(text string) []int {
	var out []int
	t.run(text, func(w cachedWord) { out = append(out, w.ids...) })
	return out
}

// run is PreTrainedTokenizer.tokenize followed by the id lookup: added
// tokens are cut out of the raw text first, each remaining stretch is
// cleaned (BasicTokenizer or ftfy) and pre-tokenised with CLIP's pattern,
// and every word goes through BPE. emit receives each added token and each
// word's symbols in order.
func (t *Tokenizer) run(text string, emit func(cachedWord)) {
	for _, p := range splitAdded(text, t.added) {
		switch {
		case p.text == "":
		case p.token != nil:
			emit(cachedWord{tokens: []string{p.token.content}, ids: []int{p.token.id}})
		default:
			splitWords(t.normalize(p.text), func(word string) { emit(t.bpeWord(word)) })
		}
	}
}

// bpeWord returns the symbols and ids of one pre-tokenised word, through
// the cache.
func (t *Tokenizer) bpeWord(word string) cachedWord {
	if w, ok := t.cache.get(word); ok {
		return w
	}
	tokens := bpe(byteEncode(word), t.ranks)
	w := cachedWord{tokens: tokens, ids: make([]int, len(tokens))}
	for i, tok := range tokens {
		w.ids[i] = t.tokenID(tok)
	}
	t.cache.put(word, w)
	return w
}

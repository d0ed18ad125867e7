package tokenizer

import "unicode/utf8"

// endOfWord marks the last symbol of a word in CLIP's vocabulary ("a</w>" is
// the word "a", "a" alone is the start of a longer word).
const endOfWord = "</w>"

// maxMerges is how many lines of merges.txt CLIPTokenizer reads after the
// header: 49152 - 256 - 2 (the vocabulary size of the original CLIP BPE
// minus the byte alphabet and the two special tokens). Lines past it are
// ignored by transformers, so they are ignored here too.
const maxMerges = 49152 - 256 - 2

// symbolPair is one merge rule's left and right symbol.
type symbolPair struct{ left, right string }

// bpe splits one byte-encoded word into vocabulary symbols the way
// CLIPTokenizer.bpe does: start from single characters with "</w>" glued to
// the last one, then repeatedly merge every left-to-right, non-overlapping
// occurrence of the adjacent pair with the lowest merge rank, until one
// symbol is left or no adjacent pair has a rank.
func bpe(word string, ranks map[symbolPair]int) []string {
	// The special tokens are pre-seeded in CLIP's BPE cache, so they come
	// out whole and without "</w>".
	if word == "<|startoftext|>" || word == "<|endoftext|>" {
		return []string{word}
	}
	syms := make([]string, 0, utf8.RuneCountInString(word))
	for i := 0; i < len(word); {
		_, n := utf8.DecodeRuneInString(word[i:])
		syms = append(syms, word[i:i+n])
		i += n
	}
	if len(syms) == 0 {
		return nil
	}
	syms[len(syms)-1] += endOfWord
	for len(syms) > 1 {
		best, bestRank := -1, 0
		for i := 0; i+1 < len(syms); i++ {
			if r, ok := ranks[symbolPair{syms[i], syms[i+1]}]; ok && (best < 0 || r < bestRank) {
				best, bestRank = i, r
			}
		}
		if best < 0 {
			break
		}
		first, second := syms[best], syms[best+1]
		merged := first + second
		out := syms[:0:0]
		for i := 0; i < len(syms); {
			if i+1 < len(syms) && syms[i] == first && syms[i+1] == second {
				out = append(out, merged)
				i += 2
			} else {
				out = append(out, syms[i])
				i++
			}
		}
		syms = out
	}
	return syms
}

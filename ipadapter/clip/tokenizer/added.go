package tokenizer

import "strings"

// addedToken is a token that transformers matches in the raw text before
// any clean-up or BPE (its "added tokens": the special tokens plus tokens
// added to the vocabulary, e.g. by textual inversion). Every occurrence is
// cut out and encoded as its own id. This is why SDXL's tokenizer_2, whose
// pad token "!" is special, encodes each "!" of a prompt as id 0 while
// tokenizer 1 BPE-merges "!!!" into one symbol.
type addedToken struct {
	content string
	id      int
	special bool
	// lstrip/rstrip: the token swallows the whitespace on its left/right.
	// singleWord: the token only counts when it is not glued to other text.
	lstrip, rstrip, singleWord bool
}

// piece is a stretch of the prompt: either plain text or one added token.
type piece struct {
	text  string
	token *addedToken
}

// splitAdded cuts text at every occurrence of an added token, scanning left
// to right and taking the longest token that starts at a position, then
// applies the tokens' lstrip/rstrip/single_word rules as
// PreTrainedTokenizer.tokenize does. transformers uses a trie with its own
// tie rules for added tokens that overlap one another; for tokens that do
// not (CLIP's special tokens, "!", textual-inversion names) both agree.
func splitAdded(text string, tokens []*addedToken) []piece {
	var pieces []piece
	start := 0
	for i := 0; i < len(text); {
		tok := longestAddedAt(text[i:], tokens)
		if tok == nil {
			i++
			continue
		}
		if start < i {
			pieces = append(pieces, piece{text: text[start:i]})
		}
		pieces = append(pieces, piece{text: tok.content, token: tok})
		i += len(tok.content)
		start = i
	}
	if start < len(text) {
		pieces = append(pieces, piece{text: text[start:]})
	}
	applyAddedStripping(pieces)
	return pieces
}

// longestAddedAt returns the longest added token that s starts with.
// tokens is sorted longest first.
func longestAddedAt(s string, tokens []*addedToken) *addedToken {
	for _, t := range tokens {
		if strings.HasPrefix(s, t.content) {
			return t
		}
	}
	return nil
}

// applyAddedStripping mirrors the loop in PreTrainedTokenizer.tokenize that
// edits a token's neighbours in place; the neighbours may themselves be
// added tokens, and a single_word token glued to text becomes plain text.
func applyAddedStripping(pieces []piece) {
	for i := range pieces {
		tok := pieces[i].token
		if tok == nil {
			continue
		}
		// Like transformers, judge single_word on the neighbours as they
		// were before this token's own stripping.
		var left, right string
		if i > 0 {
			left = pieces[i-1].text
		}
		if i+1 < len(pieces) {
			right = pieces[i+1].text
		}
		if tok.rstrip && right != "" {
			pieces[i+1].text = strings.TrimLeftFunc(right, isPySpace)
		}
		if tok.lstrip && left != "" {
			pieces[i-1].text = strings.TrimRightFunc(left, isPySpace)
		}
		switch {
		case tok.singleWord && left != "" && !strings.HasSuffix(left, " "):
			pieces[i-1] = piece{text: pieces[i-1].text + tok.content}
			pieces[i] = piece{}
		case tok.singleWord && right != "" && !strings.HasPrefix(right, " "):
			pieces[i+1] = piece{text: tok.content + pieces[i+1].text}
			pieces[i] = piece{}
		}
	}
}

package tokenizer

import (
	"fmt"
	"math"
	"sort"
)

// configure sets up ids, special and added tokens and the decode settings.
func (t *Tokenizer) configure(cfg *tokenizerConfig, added []addedSpec) error {
	t.idToToken = make(map[int]string, len(t.vocab))
	for tok, id := range t.vocab {
		if other, dup := t.idToToken[id]; dup {
			return fmt.Errorf("vocabulary ids must be unique: %q and %q both have id %d", other, tok, id)
		}
		t.idToToken[id] = tok
	}
	t.addedByID = map[int]*addedToken{}
	t.addedIDs = map[string]int{}
	// Added tokens with fixed ids first, in id order for determinism.
	sort.SliceStable(added, func(i, j int) bool { return added[i].id < added[j].id })
	for _, a := range added {
		if a.spec.Content == "" {
			continue // transformers skips empty tokens; one would match everywhere
		}
		special := a.spec.Special != nil && *a.spec.Special
		t.addToken(a.spec, a.id, special)
	}
	// Then the special tokens, in transformers' SPECIAL_TOKENS_ATTRIBUTES
	// order; those not in the vocabulary get the next free ids.
	def := func(s *tokenSpec, content string) tokenSpec {
		if s != nil && s.Content != "" {
			return *s
		}
		return tokenSpec{Content: content}
	}
	bos, eos := def(cfg.BOS, "<|startoftext|>"), def(cfg.EOS, "<|endoftext|>")
	unk, pad := def(cfg.Unk, "<|endoftext|>"), def(cfg.Pad, "<|endoftext|>")
	specials := append([]tokenSpec{bos, eos, unk, pad}, cfg.Additional...)
	// As in _add_tokens: new ids count up from the size of the vocabulary
	// plus the added tokens seen so far.
	nextID := len(t.vocab)
	for content := range t.addedIDs {
		if _, ok := t.vocab[content]; !ok {
			nextID++
		}
	}
	for _, s := range specials {
		if s.Content == "" {
			continue
		}
		if _, ok := t.addedIDs[s.Content]; ok {
			continue
		}
		id, inVocab := t.vocab[s.Content]
		if !inVocab {
			id = nextID
			nextID++
		}
		t.addToken(s, id, true)
	}
	sort.SliceStable(t.added, func(i, j int) bool { return len(t.added[i].content) > len(t.added[j].content) })

	// BPE symbols missing from the vocabulary become the unknown token's
	// vocabulary id (CLIPTokenizer._convert_token_to_id).
	if id, ok := t.vocab[unk.Content]; ok {
		t.unk = id
	} else {
		t.unk = t.addedIDs[unk.Content]
	}
	t.BOS, t.EOS, t.Pad = t.tokenID(bos.Content), t.tokenID(eos.Content), t.tokenID(pad.Content)

	switch {
	case cfg.ModelMaxLength == nil || *cfg.ModelMaxLength >= 1e9:
		// Absent, or transformers' VERY_LARGE_INTEGER: no limit, so Call
		// needs an explicit MaxLength, as transformers' padding does.
		t.maxLength = 0
	case !(*cfg.ModelMaxLength >= 2) || *cfg.ModelMaxLength != math.Trunc(*cfg.ModelMaxLength):
		return fmt.Errorf("tokenizer_config.json model_max_length %v is not a length that holds BOS and EOS", *cfg.ModelMaxLength)
	default:
		t.maxLength = int(*cfg.ModelMaxLength)
	}
	if cfg.CleanUpSpaces != nil {
		t.cleanUpSpaces = *cfg.CleanUpSpaces
	}
	if cfg.Errors != nil {
		switch *cfg.Errors {
		case "replace", "ignore", "strict":
			t.decodeErrors = *cfg.Errors
		default:
			return fmt.Errorf("tokenizer_config.json errors %q: only replace, ignore and strict are supported", *cfg.Errors)
		}
	}
	return nil
}

// addToken registers an added token (a later spec for the same content
// replaces the earlier one, as in transformers' maps).
func (t *Tokenizer) addToken(s tokenSpec, id int, special bool) {
	if old, ok := t.addedIDs[s.Content]; ok {
		delete(t.addedByID, old)
		for i, a := range t.added {
			if a.content == s.Content {
				t.added = append(t.added[:i], t.added[i+1:]...)
				break
			}
		}
	}
	a := &addedToken{content: s.Content, id: id, special: special, lstrip: s.LStrip, rstrip: s.RStrip, singleWord: s.SingleWord}
	t.added = append(t.added, a)
	t.addedByID[id] = a
	t.addedIDs[s.Content] = id
	if _, ok := t.idToToken[id]; !ok {
		t.idToToken[id] = s.Content
	}
}

// tokenID is convert_tokens_to_ids for one token: added tokens first, then
// the vocabulary, else the unknown token's id.
func (t *Tokenizer) tokenID(tok string) int {
	if id, ok := t.addedIDs[tok]; ok {
		return id
	}
	if id, ok := t.vocab[tok]; ok {
		return id
	}
	return t.unk
}

// Package tokenizer is CLIP's byte-level BPE tokenizer, reproducing
// transformers' slow CLIPTokenizer: the class diffusers' SDXL pipelines load
// for both of their tokenizers, so its ids are what the text encoders were
// conditioned on.
//
//	tok, err := tokenizer.Load("…/tokenizer_2")
//	enc, err := tok.Call(prompts, tokenizer.CallOptions{}) // padding="max_length", 77, truncation
//	enc.InputIDs[0]  // [tok.BOS, …, tok.EOS, tok.Pad, …]
//
// Encode gives the bare ids of one text, Tokenize its BPE symbols, Decode
// turns ids back into (cleaned, lower-cased) text for display.
//
// # What a prompt goes through
//
//  1. Added tokens are cut out of the raw text: the special tokens
//     (<|startoftext|>, <|endoftext|>, the pad token) and any tokens from
//     added_tokens_decoder or added_tokens.json. SDXL's tokenizer_2 pads
//     with "!", which is in the vocabulary but, being special, is cut out
//     too: every "!" of a prompt becomes id 0 there, while tokenizer 1
//     BPE-merges "!!!" into one symbol.
//  2. Each remaining stretch is cleaned. By default this is the path
//     transformers takes when the ftfy package is not installed (the common
//     case): BasicTokenizer(strip_accents=False, do_split_on_punc=False),
//     which drops control and format characters (so a ZERO WIDTH SPACE joins
//     words), turns all spaces into ' ', spaces out CJK ideographs,
//     NFC-normalises and lower-cases with Python's rules, keeping accents.
//     WithFTFY selects the ftfy path instead (below).
//  3. CLIP's pattern splits the text into words (letter runs, single digits,
//     runs of other symbols, contractions); each word's UTF-8 bytes are
//     mapped to GPT-2's printable byte alphabet.
//  4. BPE merges each word with the ranks of merges.txt, "</w>" marking its
//     end, and the symbols are looked up in the vocabulary (missing ones
//     become the unknown token, <|endoftext|>). Results are cached per word,
//     so long prompts and batches mostly skip BPE.
//  5. Call adds BOS and EOS, truncates so that EOS stays the last of 77
//     (position 76), and pads with the pad id and attention mask 0.
//
// # Files
//
// Load reads vocab.json and merges.txt with tokenizer_config.json and
// special_tokens_map.json, which decide the special tokens (the latter wins,
// as in from_pretrained), model_max_length (77) and the decode settings.
// do_lower_case is ignored, as by the slow CLIPTokenizer, which never reads
// it and always lower-cases. merges.txt is read as CLIPTokenizer reads it: its
// first line is dropped without checking that it is the "#version" header
// (so a file without the header loses its first merge, in transformers and
// here), and at most 48,894 merges are used.
//
// A folder that has no vocab.json but a tokenizer.json is read from that:
// its model.vocab, model.merges (either encoding) and added_tokens. This
// package reads it itself instead of using go-huggingface's hftokenizer,
// which does load a CLIP tokenizer.json, for two reasons. tokenizer.json
// describes the fast tokenizer, whose normalizer differs from the slow one
// (no control-character removal, no CJK spacing), and these ids must match
// what diffusers users get from the slow one; and taking only the
// vocabulary and merges from it lets both file layouts share one pipeline
// and one BPE cache, without a dependency for ~60 lines of JSON reading.
//
// # ftfy
//
// With ftfy installed, transformers cleans text with
// whitespace_clean(ftfy.fix_text(text)).lower() instead: quotes are
// uncurled ("it’s" then yields the contraction "'s"), HTML entities are
// unescaped, ligatures and fullwidth letters folded, and format characters
// and CJK text are left alone. WithFTFY reproduces ftfy 6.3.1's rule-based
// fixes, but not its mojibake repair, which rests on statistical heuristics
// over ten legacy codecs; text that ftfy would re-decode (UTF-8 shown as
// Windows-1252, "cafÃ©") is left as it is.
//
// # Unicode version
//
// The reference ran on Python 3.11, whose unicodedata is Unicode 14.0.0;
// Go's tables are newer. The differences that reach tokenization are
// reproduced: characters assigned after 14.0 (new emoji, for one) are
// unassigned there and dropped by the default clean-up, and two characters
// whose category changed keep their 14.0 role in Python's lower-casing.
// The clean-up and pattern were checked against a Python 3.11 transcription
// of BasicTokenizer and CLIP's pattern for every code point and for
// randomised strings.
package tokenizer

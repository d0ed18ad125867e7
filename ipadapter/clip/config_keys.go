package clip

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// inertConfigKeys are config.json keys that PretrainedConfig or the CLIP
// configs write but that do not change what inference computes: training
// settings (dropout, initialisation), storage dtype (the compute dtype comes
// from nn.Options), generation defaults, labels and bookkeeping. They are
// accepted and ignored. Any key not listed here and not read by a config
// parser is rejected, so a setting that would change the math is never
// silently dropped.
var inertConfigKeys = map[string]bool{
	"_name_or_path": true, "_commit_hash": true, "transformers_version": true,
	"torch_dtype": true, "dtype": true, "use_bfloat16": true,
	"initializer_range": true, "initializer_factor": true,
	"dropout": true, "attention_dropout": true,
	"_attn_implementation_autoset": true,
	"return_dict":                  true, "output_hidden_states": true, "output_attentions": true, "torchscript": true,
	"tf_legacy_loss": true, "use_return_dict": true,
	"is_encoder_decoder": true, "is_decoder": true, "add_cross_attention": true,
	"cross_attention_hidden_size": true, "tie_encoder_decoder": true, "tie_word_embeddings": true,
	"chunk_size_feed_forward": true,
	"max_length":              true, "min_length": true, "do_sample": true, "early_stopping": true,
	"num_beams": true, "num_beam_groups": true, "diversity_penalty": true, "temperature": true,
	"top_k": true, "top_p": true, "typical_p": true, "repetition_penalty": true,
	"length_penalty": true, "no_repeat_ngram_size": true, "encoder_no_repeat_ngram_size": true,
	"bad_words_ids": true, "num_return_sequences": true, "output_scores": true,
	"return_dict_in_generate": true, "forced_bos_token_id": true, "forced_eos_token_id": true,
	"remove_invalid_values": true, "exponential_decay_length_penalty": true,
	"suppress_tokens": true, "begin_suppress_tokens": true,
	"finetuning_task": true, "id2label": true, "label2id": true, "tokenizer_class": true,
	"prefix": true, "sep_token_id": true, "decoder_start_token_id": true,
	"task_specific_params": true, "problem_type": true,
}

// equivalentAttention lists the attention implementations transformers
// offers for CLIP that compute the same softmax(q·kᵀ·scale + mask)·v at
// inference (they differ in kernels and rounding only).
var equivalentAttention = []string{"eager", "sdpa", "flash_attention_2", "flash_attention_3", "flex_attention"}

// configReader decodes a config.json key by key, remembering which keys
// were used so that the rest can be checked against inertConfigKeys.
type configReader struct {
	what string // "text encoder config" — for error messages
	raw  map[string]json.RawMessage
	used map[string]bool
	errs []string
}

func newConfigReader(what string, data []byte) (*configReader, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%s: not a JSON object: %w", what, err)
	}
	return &configReader{what: what, raw: raw, used: map[string]bool{}}, nil
}

// has reports whether the key is present and not null.
func (r *configReader) has(key string) bool {
	v, ok := r.raw[key]
	return ok && string(bytes.TrimSpace(v)) != "null"
}

// int reads a required-integer key into *dst when present; dst keeps its
// default otherwise. null is an error: transformers would use None, which
// these models cannot compute with.
func (r *configReader) int(key string, dst *int) {
	r.used[key] = true
	v, ok := r.raw[key]
	if !ok {
		return
	}
	var n json.Number
	if err := json.Unmarshal(v, &n); err != nil {
		r.errs = append(r.errs, fmt.Sprintf("%s = %s: want an integer", key, v))
		return
	}
	i, err := n.Int64()
	if err != nil {
		r.errs = append(r.errs, fmt.Sprintf("%s = %s: want an integer", key, v))
		return
	}
	*dst = int(i)
}

// optionalInt reads an integer key that may be null (token ids the math
// does not use). It reports whether a value was set.
func (r *configReader) optionalInt(key string, dst *int) bool {
	if !r.has(key) {
		r.used[key] = true
		return false
	}
	r.int(key, dst)
	return true
}

func (r *configReader) float(key string, dst *float64) {
	r.used[key] = true
	v, ok := r.raw[key]
	if !ok {
		return
	}
	if err := json.Unmarshal(v, dst); err != nil {
		r.errs = append(r.errs, fmt.Sprintf("%s = %s: want a number", key, v))
	}
}

func (r *configReader) string(key string, dst *string) {
	r.used[key] = true
	v, ok := r.raw[key]
	if !ok {
		return
	}
	if err := json.Unmarshal(v, dst); err != nil {
		r.errs = append(r.errs, fmt.Sprintf("%s = %s: want a string", key, v))
	}
}

func (r *configReader) strings(key string, dst *[]string) {
	r.used[key] = true
	v, ok := r.raw[key]
	if !ok || !r.has(key) {
		return
	}
	if err := json.Unmarshal(v, dst); err != nil {
		r.errs = append(r.errs, fmt.Sprintf("%s = %s: want a list of strings", key, v))
	}
}

// failf records a validation error.
func (r *configReader) failf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// checkCommon validates the keys every CLIP config may carry that change
// the computation when set to something this package does not implement.
func (r *configReader) checkCommon() {
	for _, key := range []string{"attn_implementation", "_attn_implementation"} {
		r.used[key] = true
		if !r.has(key) {
			continue
		}
		var impl string
		if err := json.Unmarshal(r.raw[key], &impl); err != nil || !slices.Contains(equivalentAttention, impl) {
			r.failf("%s = %s is not supported (supported: %s, which compute the same attention)",
				key, r.raw[key], strings.Join(equivalentAttention, ", "))
		}
	}
	// Pruned heads change the shapes and the computation of attention.
	r.used["pruned_heads"] = true
	if r.has("pruned_heads") {
		var pruned map[string]json.RawMessage
		if err := json.Unmarshal(r.raw["pruned_heads"], &pruned); err != nil || len(pruned) > 0 {
			r.failf("pruned_heads = %s is not supported (only an empty set)", r.raw["pruned_heads"])
		}
	}
}

// finish reports every problem found, including keys that are neither read
// nor known to be inert.
func (r *configReader) finish() error {
	var unknown []string
	for k := range r.raw {
		if !r.used[k] && !inertConfigKeys[k] {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		r.errs = append(r.errs, fmt.Sprintf("unsupported key %q = %s (it may change the computation; this implementation does not know it)", k, r.raw[k]))
	}
	if len(r.errs) > 0 {
		return fmt.Errorf("%s: %s", r.what, strings.Join(r.errs, "; "))
	}
	return nil
}

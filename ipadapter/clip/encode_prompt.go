package clip

import (
	"fmt"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip/tokenizer"
)

// PromptRequest holds the arguments of encode_prompt.
type PromptRequest struct {
	// Prompt is required. Prompt2 (for the second tokenizer and encoder)
	// falls back to Prompt when None or "".
	Prompt, Prompt2 Prompt
	// NegativePrompt and NegativePrompt2 are used with classifier-free
	// guidance. A None NegativePrompt with ForceZerosForEmptyPrompt gives
	// all-zero negative conditioning (and NegativePrompt2 is then
	// ignored); otherwise NegativePrompt falls back to "" and
	// NegativePrompt2 to NegativePrompt, and both are encoded.
	NegativePrompt, NegativePrompt2 Prompt
	// NumImagesPerPrompt repeats each prompt's embeddings that many times,
	// consecutively ([p0, p0, p1, p1]); 0 means 1.
	NumImagesPerPrompt int
	// ClassifierFreeGuidance (diffusers' do_classifier_free_guidance,
	// i.e. guidance_scale > 1) also returns the negative conditioning.
	ClassifierFreeGuidance bool
	// ClipSkip > 0 takes hidden_states[-(ClipSkip+2)] for the prompts
	// instead of hidden_states[-2]. As in diffusers, the negative prompts
	// always use hidden_states[-2]. 0 is diffusers' None.
	ClipSkip int
}

// PromptEmbeds is encode_prompt's result, as host tensors in the text
// encoders' compute dtype. B is the number of prompts, n
// NumImagesPerPrompt, D the sum of the encoders' widths (2048 for SDXL)
// and P the projection width (1280).
type PromptEmbeds struct {
	PromptEmbeds       *tensors.Tensor // [B·n, 77, D]
	PooledPromptEmbeds *tensors.Tensor // [B·n, P]
	// The negative conditioning, nil without ClassifierFreeGuidance.
	NegativePromptEmbeds       *tensors.Tensor // [B·n, 77, D]
	NegativePooledPromptEmbeds *tensors.Tensor // [B·n, P]
	// Warnings lists prompts cut to the tokenizer's maximum length (what
	// diffusers logs as "The following part of your input was truncated").
	Warnings []string
}

// EncodePrompt computes SDXL's text conditioning: for each (tokenizer,
// encoder) pair, the prompts are tokenized to 77 ids and the encoder's
// hidden_states[-2] (not final-layer-normed) taken; the pairs' states are
// concatenated along the feature axis. The pooled embedding is the
// text_embeds of the first encoder with a projection (text_encoder_2).
// Prompts and negative prompts go through each encoder in one batch.
func (p *PromptEncoder) EncodePrompt(req PromptRequest) (*PromptEmbeds, error) {
	plan, err := p.planPrompts(req)
	if err != nil {
		return nil, fmt.Errorf("encode_prompt: %w", err)
	}
	out := &PromptEmbeds{}
	var pos, neg []*tensors.Tensor
	for i, enc := range p.Encoders {
		r, err := p.encodeWith(i, enc, plan, out)
		if err != nil {
			return nil, fmt.Errorf("encode_prompt (text encoder %d of %d): %w", i+1, len(p.Encoders), err)
		}
		pos = append(pos, r.pos)
		if r.neg != nil {
			neg = append(neg, r.neg)
		}
		if r.pooled != nil && out.PooledPromptEmbeds == nil {
			out.PooledPromptEmbeds, out.NegativePooledPromptEmbeds = r.pooled, r.negPooled
		}
	}
	if err := out.assemble(pos, neg, plan); err != nil {
		return nil, fmt.Errorf("encode_prompt: %w", err)
	}
	return out, nil
}

// promptPlan is a request resolved as diffusers resolves it.
type promptPlan struct {
	batch, repeat int
	texts         [][]string // per encoder: the prompts
	negTexts      [][]string // per encoder: the negative prompts; nil when not encoded
	zeroNegatives bool       // CFG with zeros as negative conditioning
	cfg           bool
	hiddenState   int // index into hidden_states for the prompts
	pooledFrom    int // encoder whose text_embeds is the pooled output
}

func (p *PromptEncoder) planPrompts(req PromptRequest) (*promptPlan, error) {
	if len(p.Encoders) == 0 || len(p.Encoders) != len(p.Tokenizers) {
		return nil, fmt.Errorf("the prompt encoder needs one tokenizer per text encoder (%d tokenizers, %d encoders)", len(p.Tokenizers), len(p.Encoders))
	}
	plan := &promptPlan{repeat: req.NumImagesPerPrompt, cfg: req.ClassifierFreeGuidance, hiddenState: -(req.ClipSkip + 2), pooledFrom: -1}
	if plan.repeat == 0 {
		plan.repeat = 1
	}
	if plan.repeat < 0 {
		return nil, fmt.Errorf("num_images_per_prompt = %d must be positive", req.NumImagesPerPrompt)
	}
	if req.ClipSkip < 0 {
		return nil, fmt.Errorf("clip_skip = %d must not be negative", req.ClipSkip)
	}
	if req.Prompt.IsNone() {
		return nil, fmt.Errorf("a prompt is required")
	}
	prompts := req.Prompt.broadcast(1) // `[prompt] if isinstance(prompt, str)`
	plan.batch = len(prompts)
	if plan.batch == 0 {
		return nil, fmt.Errorf("the prompt list is empty")
	}
	prompts2 := req.Prompt2.or(req.Prompt).broadcast(1)
	if len(prompts2) != plan.batch {
		return nil, fmt.Errorf("prompt_2 has %d prompts, prompt has %d", len(prompts2), plan.batch)
	}
	// diffusers zips [prompt, prompt_2] with the tokenizers it has: a
	// pipeline with only tokenizer_2 (the refiner) encodes `prompt` with it.
	plan.texts = [][]string{prompts, prompts2}[:len(p.Encoders)]

	if plan.cfg {
		plan.zeroNegatives = req.NegativePrompt.IsNone() && p.ForceZerosForEmptyPrompt
		if !plan.zeroNegatives {
			negative := req.NegativePrompt.or(Text(""))
			negative2 := req.NegativePrompt2.or(negative)
			neg, neg2 := negative.broadcast(plan.batch), negative2.broadcast(plan.batch)
			if len(neg) != plan.batch {
				return nil, fmt.Errorf("negative_prompt %v has batch size %d, but prompt %v has batch size %d: make sure negative_prompt matches the batch size of prompt", negative, len(neg), req.Prompt, plan.batch)
			}
			if len(neg2) != plan.batch {
				return nil, fmt.Errorf("negative_prompt_2 %v has batch size %d, but prompt %v has batch size %d", negative2, len(neg2), req.Prompt, plan.batch)
			}
			plan.negTexts = [][]string{neg, neg2}[:len(p.Encoders)]
		}
	}
	for i, e := range p.Encoders {
		if e.Model.Config.WithProjection {
			plan.pooledFrom = i
			break
		}
	}
	if plan.pooledFrom < 0 {
		return nil, fmt.Errorf("no text encoder has a projection (%s), so there is no pooled prompt embedding", ArchTextModelWithProjection)
	}
	return plan, nil
}

// encoderOutputs are one encoder's parts of the conditioning, [B, …]
// (before repetition); negatives are nil when not encoded.
type encoderOutputs struct {
	pos, neg, pooled, negPooled *tensors.Tensor
}

// encodeWith tokenizes the prompts (and negative prompts, padded to the
// prompts' length) for encoder i and encodes them in one batch.
func (p *PromptEncoder) encodeWith(i int, enc *TextEncoder, plan *promptPlan, out *PromptEmbeds) (*encoderOutputs, error) {
	tok := p.Tokenizers[i]
	posIDs, err := tok.Call(plan.texts[i], tokenizer.CallOptions{})
	if err != nil {
		return nil, err
	}
	for j, cut := range posIDs.Truncated {
		if cut {
			out.Warnings = append(out.Warnings, fmt.Sprintf("prompt %d was truncated to %d tokens for text encoder %d", j, len(posIDs.InputIDs[j]), i+1))
		}
	}
	rows := posIDs.InputIDs
	withNeg := plan.negTexts != nil
	if withNeg {
		negIDs, err := tok.Call(plan.negTexts[i], tokenizer.CallOptions{MaxLength: len(rows[0])})
		if err != nil {
			return nil, err
		}
		rows = append(append([][]int(nil), rows...), negIDs.InputIDs...)
	}

	want := TextOutputs{HiddenStates: []int{plan.hiddenState}, TextEmbeds: i == plan.pooledFrom}
	negState := 0
	if withNeg && plan.hiddenState != -2 {
		want.HiddenStates = append(want.HiddenStates, -2) // diffusers ignores clip_skip for negatives
		negState = 1
	}
	res, err := enc.Encode(rows, want)
	if err != nil {
		return nil, err
	}
	b := plan.batch
	var r encoderOutputs
	if r.pos, err = selectRows(res.HiddenStates[0], 0, b); err != nil {
		return nil, err
	}
	if withNeg {
		if r.neg, err = selectRows(res.HiddenStates[negState], b, 2*b); err != nil {
			return nil, err
		}
	}
	if want.TextEmbeds {
		if r.pooled, err = selectRows(res.TextEmbeds, 0, b); err != nil {
			return nil, err
		}
		if withNeg {
			if r.negPooled, err = selectRows(res.TextEmbeds, b, 2*b); err != nil {
				return nil, err
			}
		}
	}
	return &r, nil
}

// assemble concatenates the encoders' states, fills in zero negatives
// and repeats everything NumImagesPerPrompt times.
func (out *PromptEmbeds) assemble(pos, neg []*tensors.Tensor, plan *promptPlan) error {
	var err error
	if out.PromptEmbeds, err = concatLastAxis(pos...); err != nil {
		return err
	}
	switch {
	case plan.cfg && plan.zeroNegatives:
		out.NegativePromptEmbeds = zerosLike(out.PromptEmbeds)
		out.NegativePooledPromptEmbeds = zerosLike(out.PooledPromptEmbeds)
	case plan.cfg:
		if out.NegativePromptEmbeds, err = concatLastAxis(neg...); err != nil {
			return err
		}
	}
	for _, t := range []**tensors.Tensor{&out.PromptEmbeds, &out.PooledPromptEmbeds, &out.NegativePromptEmbeds, &out.NegativePooledPromptEmbeds} {
		if *t == nil {
			continue
		}
		if *t, err = repeatRows(*t, plan.repeat); err != nil {
			return err
		}
	}
	return nil
}

package clip

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// Prompt is a prompt argument of diffusers' pipelines, whose Python type
// `str | list[str] | None` changes its meaning: a string is broadcast to
// the batch and an empty string counts as "not given" (`prompt_2 or
// prompt`), a list is taken as is. The zero value is None.
type Prompt struct {
	texts  []string
	isList bool
}

// Text is a Python str prompt.
func Text(s string) Prompt { return Prompt{texts: []string{s}} }

// Texts is a Python list of prompts.
func Texts(texts ...string) Prompt {
	return Prompt{texts: append(make([]string, 0, len(texts)), texts...), isList: true}
}

// IsNone reports whether the prompt was not given at all.
func (p Prompt) IsNone() bool { return p.texts == nil && !p.isList }

// IsList reports whether the prompt is a list (not a single string).
func (p Prompt) IsList() bool { return p.isList }

// Strings returns the prompt's texts: one for a string, none for None.
func (p Prompt) Strings() []string { return slices.Clone(p.texts) }

// given is Python's truth value of the argument: None, "" and [] are
// false, which diffusers' `x or fallback` expressions rely on.
func (p Prompt) given() bool {
	if p.isList {
		return len(p.texts) > 0
	}
	return len(p.texts) == 1 && p.texts[0] != ""
}

// or is Python's `p or fallback`.
func (p Prompt) or(fallback Prompt) Prompt {
	if p.given() {
		return p
	}
	return fallback
}

// broadcast is `batch * [p] if isinstance(p, str) else p`.
func (p Prompt) broadcast(batch int) []string {
	if p.isList {
		return slices.Clone(p.texts)
	}
	out := make([]string, batch)
	for i := range out {
		out[i] = p.texts[0]
	}
	return out
}

func (p Prompt) String() string {
	switch {
	case p.IsNone():
		return "None"
	case p.isList:
		return fmt.Sprintf("%q", p.texts)
	}
	return fmt.Sprintf("%q", p.texts[0])
}

// UnmarshalJSON reads null, a string or a list of strings.
func (p *Prompt) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, []byte("null")):
		*p = Prompt{}
		return nil
	case len(data) > 0 && data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*p = Text(s)
		return nil
	}
	var list []string
	if err := json.Unmarshal(data, &list); err != nil {
		return fmt.Errorf("a prompt is null, a string or a list of strings, got %s", data)
	}
	*p = Texts(list...)
	return nil
}

// MarshalJSON writes null, a string or a list.
func (p Prompt) MarshalJSON() ([]byte, error) {
	switch {
	case p.IsNone():
		return []byte("null"), nil
	case p.isList:
		return json.Marshal(p.texts)
	}
	return json.Marshal(p.texts[0])
}

package unet

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// diffusers' config values that are "one value for every block, or a list
// with one per block". The JSON form is kept so a config round-trips.

// IntOrList is an int for every block or a list of ints, one per block.
type IntOrList struct {
	Values []int
	List   bool // written as a list (even of length 1)
}

// Int returns an IntOrList holding one value for every block.
func Int(v int) IntOrList { return IntOrList{Values: []int{v}} }

// Ints returns an IntOrList holding one value per block.
func Ints(v ...int) IntOrList { return IntOrList{Values: slices.Clone(v), List: true} }

// unmarshalOneOrList decodes a JSON value that is one T or a list of T's;
// list says which.
func unmarshalOneOrList[T any](b []byte) (values []T, list bool, err error) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		if err := json.Unmarshal(b, &values); err != nil {
			return nil, false, err
		}
		return values, true, nil
	}
	var x T
	if err := json.Unmarshal(b, &x); err != nil {
		return nil, false, err
	}
	return []T{x}, false, nil
}

// UnmarshalJSON accepts a number or a list of numbers.
func (v *IntOrList) UnmarshalJSON(b []byte) error {
	values, list, err := unmarshalOneOrList[int](b)
	if err != nil {
		return err
	}
	*v = IntOrList{Values: values, List: list}
	return nil
}

// MarshalJSON writes the form the value was read in.
func (v IntOrList) MarshalJSON() ([]byte, error) {
	if v.List {
		return json.Marshal(v.Values)
	}
	if len(v.Values) != 1 {
		return nil, fmt.Errorf("scalar IntOrList with %d values", len(v.Values))
	}
	return json.Marshal(v.Values[0])
}

// perBlock broadcasts a scalar to n blocks, or checks a list has n entries.
func (v IntOrList) perBlock(key string, n int) ([]int, error) {
	if !v.List {
		if len(v.Values) != 1 {
			return nil, fmt.Errorf("unet config: %q is missing", key)
		}
		out := make([]int, n)
		for i := range out {
			out[i] = v.Values[0]
		}
		return out, nil
	}
	if len(v.Values) != n {
		return nil, fmt.Errorf("unet config: %q has %d entries %v, must have one per down block (%d)", key, len(v.Values), v.Values, n)
	}
	return slices.Clone(v.Values), nil
}

// BoolOrList is a bool for every block or a list of bools (only_cross_attention).
type BoolOrList struct {
	Values []bool
	List   bool
}

// UnmarshalJSON accepts a bool or a list of bools.
func (v *BoolOrList) UnmarshalJSON(b []byte) error {
	values, list, err := unmarshalOneOrList[bool](b)
	if err != nil {
		return err
	}
	*v = BoolOrList{Values: values, List: list}
	return nil
}

// MarshalJSON writes the form the value was read in.
func (v BoolOrList) MarshalJSON() ([]byte, error) {
	if v.List || len(v.Values) != 1 {
		return json.Marshal(v.Values)
	}
	return json.Marshal(v.Values[0])
}

// anyTrue reports whether any entry is true.
func (v BoolOrList) anyTrue() bool { return slices.Contains(v.Values, true) }

// LayerCounts is transformer_layers_per_block: an int for every block, a list
// with one count per block, or (asymmetric UNets) a list whose entries are
// themselves lists with one count per Transformer2DModel of the block. The
// same type holds reverse_transformer_layers_per_block (null unless nested).
type LayerCounts struct {
	Set    bool        // false for JSON null / absent
	Scalar bool        // one int for every block
	Blocks []IntOrList // per block: one count for all its attentions, or one per attention
}

// UnmarshalJSON accepts null, a number, or a list of numbers and lists.
func (v *LayerCounts) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*v = LayerCounts{}
		return nil
	}
	if len(b) > 0 && b[0] == '[' {
		var items []IntOrList
		if err := json.Unmarshal(b, &items); err != nil {
			return err
		}
		*v = LayerCounts{Set: true, Blocks: items}
		return nil
	}
	var n int
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*v = LayerCounts{Set: true, Scalar: true, Blocks: []IntOrList{Int(n)}}
	return nil
}

// MarshalJSON writes the form the value was read in.
func (v LayerCounts) MarshalJSON() ([]byte, error) {
	switch {
	case !v.Set:
		return []byte("null"), nil
	case v.Scalar:
		return json.Marshal(v.Blocks[0])
	}
	return json.Marshal(v.Blocks)
}

// nested reports whether any block entry is a list (the asymmetric form).
func (v LayerCounts) nested() bool {
	for _, b := range v.Blocks {
		if b.List {
			return true
		}
	}
	return false
}

// forBlock returns the layer counts of the numAttn Transformer2DModels of
// block i (of n blocks), as diffusers' blocks expand an int to a list.
func (v LayerCounts) forBlock(key string, i, n, numAttn int) ([]int, error) {
	if !v.Scalar && len(v.Blocks) != n {
		return nil, fmt.Errorf("unet config: %q has %d entries, must have one per block (%d)", key, len(v.Blocks), n)
	}
	entry := v.entry(i)
	if !entry.List {
		return entry.perBlock(key, numAttn)
	}
	if len(entry.Values) < numAttn {
		return nil, fmt.Errorf("unet config: %q entry %d has %d counts %v, block needs %d (one per attention)", key, i, len(entry.Values), entry.Values, numAttn)
	}
	return slices.Clone(entry.Values[:numAttn]), nil
}

// last returns the count the mid block uses: diffusers passes the last entry
// of transformer_layers_per_block, and a list there is read at index 0.
func (v LayerCounts) last() int {
	e := v.Blocks[len(v.Blocks)-1]
	return e.Values[0]
}

// entry is block i's value (the scalar for every block).
func (v LayerCounts) entry(i int) IntOrList {
	if v.Scalar {
		return v.Blocks[0]
	}
	return v.Blocks[i]
}

package weights

import (
	"strconv"

	"github.com/nlpodyssey/gopickle/types"
)

// maxPickleDepth bounds the nesting of dicts and lists in a checkpoint. Real
// ones nest two or three levels; a deeper (or cyclic) structure is damage.
const maxPickleDepth = 64

// namedTensor is one tensor found in the unpickled object, with its
// dotted name.
type namedTensor struct {
	name string
	t    *torchTensor
}

// flattenState finds every tensor in a checkpoint's top-level dict and names
// it by joining the keys on its path with dots, so IP-Adapter's
// {"image_proj": {"proj.weight": t}} gives "image_proj.proj.weight", the name
// the .safetensors twin uses. Lists and tuples contribute their indices.
// Non-tensor leaves (a step counter, a config string) are skipped.
//
// visitBudget bounds the walk: shared references can make a small pickle
// describe an exponentially large tree.
func flattenState(root any, visitBudget int) ([]namedTensor, error) {
	switch root.(type) {
	case *types.Dict, *types.OrderedDict:
	case *torchTensor:
		return nil, errorf(ErrUnsupported, "the file holds a single tensor, not a dict of named tensors (a state dict)")
	default:
		return nil, errorf(ErrUnsupported, "the file holds a %s, not a dict of named tensors (a state dict)", pyTypeName(root))
	}
	f := &flattener{seen: map[string]bool{}, budget: visitBudget}
	if err := f.walk(root, "", true, 0); err != nil {
		return nil, err
	}
	return f.out, nil
}

type flattener struct {
	out    []namedTensor
	seen   map[string]bool
	visits int
	budget int
}

func (f *flattener) walk(v any, name string, nameable bool, depth int) error {
	f.visits++
	if f.visits > f.budget {
		return errorf(ErrCorrupt, "corrupted pickle stream: the object graph is far larger than the pickle (shared references repeated too often)")
	}
	if depth > maxPickleDepth {
		return errorf(ErrCorrupt, "corrupted pickle stream: containers nested more than %d deep (a cycle?) at %q", maxPickleDepth, name)
	}
	switch x := v.(type) {
	case *torchTensor:
		if !nameable {
			return errorf(ErrUnsupported, "a tensor under %q sits below a dict key that is neither a string nor an int, so it has no name", name)
		}
		if f.seen[name] {
			return errorf(ErrCorrupt, "two tensors are named %q after flattening nested dicts with dots", name)
		}
		f.seen[name] = true
		f.out = append(f.out, namedTensor{name, x})
	case *types.Dict:
		for _, e := range *x {
			key, ok := keyName(e.Key)
			if err := f.walk(e.Value, joinName(name, key), nameable && ok, depth+1); err != nil {
				return err
			}
		}
	case *types.OrderedDict:
		for el := x.List.Front(); el != nil; el = el.Next() {
			e := el.Value.(*types.OrderedDictEntry)
			key, ok := keyName(e.Key)
			if err := f.walk(e.Value, joinName(name, key), nameable && ok, depth+1); err != nil {
				return err
			}
		}
	case *types.List:
		for i, item := range *x {
			if err := f.walk(item, joinName(name, strconv.Itoa(i)), nameable, depth+1); err != nil {
				return err
			}
		}
	case *types.Tuple:
		for i, item := range *x {
			if err := f.walk(item, joinName(name, strconv.Itoa(i)), nameable, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// keyName turns a dict key into a name component: strings as they are,
// ints in decimal.
func keyName(k any) (string, bool) {
	switch x := k.(type) {
	case string:
		return x, true
	case int:
		return strconv.Itoa(x), true
	}
	return "<" + pyTypeName(k) + " key>", false
}

func joinName(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// pyTypeName names a value's Python type for messages.
func pyTypeName(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return "str"
	case int:
		return "int"
	case bool:
		return "bool"
	case float64:
		return "float"
	case *types.List:
		return "list"
	case *types.Tuple:
		return "tuple"
	case *types.Dict, *types.OrderedDict:
		return "dict"
	case *nonTensor:
		return x.kind
	}
	return "value"
}

package scheduler

import (
	"reflect"
	"slices"
)

// merge copies every non-nil (non-empty) field of src over dst, cloning
// pointers and slices so the result shares no memory with either.
func merge(dst, src Config) Config {
	out := cloneFields(dst)
	sv := reflect.ValueOf(src)
	ov := reflect.ValueOf(&out).Elem()
	for i := range sv.NumField() {
		f := sv.Field(i)
		if f.IsZero() {
			continue
		}
		ov.Field(i).Set(cloneValue(f))
	}
	return out
}

func cloneFields(c Config) Config {
	v := reflect.ValueOf(c)
	out := reflect.New(v.Type()).Elem()
	for i := range v.NumField() {
		out.Field(i).Set(cloneValue(v.Field(i)))
	}
	return out.Interface().(Config)
}

func cloneValue(f reflect.Value) reflect.Value {
	switch f.Kind() {
	case reflect.Pointer:
		if f.IsNil() {
			return f
		}
		p := reflect.New(f.Type().Elem())
		p.Elem().Set(f.Elem())
		return p
	case reflect.Slice:
		if f.IsNil() {
			return f
		}
		return reflect.ValueOf(slices.Clone(f.Interface().([]float64)))
	}
	return f
}

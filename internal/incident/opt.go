package incident

import "encoding/json"

// Opt is a field of a partial update: Set says whether the client sent it at
// all, so "absent" (leave alone) and "null" (clear) can be told apart.
type Opt[T any] struct {
	Set   bool
	Value T
}

// Some returns an Opt that is set to v.
func Some[T any](v T) Opt[T] { return Opt[T]{Set: true, Value: v} }

// UnmarshalJSON marks the field as sent and decodes its value.
func (o *Opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	return json.Unmarshal(b, &o.Value)
}

// MarshalJSON encodes the value (absent fields should use omitempty on a pointer).
func (o Opt[T]) MarshalJSON() ([]byte, error) { return json.Marshal(o.Value) }

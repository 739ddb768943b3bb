package conversation_test

import (
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"

	cv "github.com/hush-cc/hush/internal/conversation"
)

// TestEqualIsDeepEqual holds Equal to reflect.DeepEqual: for any
// conversation, its clone is equal, and so is no copy in which one leaf
// (a string, flag, number, time, element, map entry, or a nil made empty
// or the reverse) differs. The leaves are found by reflection, so a field
// added to the type but not to Equal fails here.
func TestEqualIsDeepEqual(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := rapid.Make[cv.Conversation]().Draw(t, "conversation")
		if !c.Equal(c.Clone()) {
			t.Fatalf("a conversation differs from its clone: %+v", c)
		}
		n := changes(reflect.ValueOf(&c).Elem(), -1)
		for i := range n {
			d := c.Clone()
			changes(reflect.ValueOf(&d).Elem(), i)
			if got, want := c.Equal(d), reflect.DeepEqual(c, d); got != want {
				t.Fatalf("change %d of %d: Equal %v, DeepEqual %v\n%+v\n%+v", i, n, got, want, c, d)
			}
		}
	})
}

// TestEqualSeesEveryField checks that a change to any field of a fully
// filled conversation, nested ones included, makes it unequal.
func TestEqualSeesEveryField(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	r := cv.Reason{Kind: cv.Manual, ID: "a", Since: at, By: "b", ByName: "c", Note: "d"}
	capOf := func() cv.Cap {
		return cv.Cap{State: cv.Paused, Started: true, Stopped: true, Reasons: []cv.Reason{r},
			Driving: &cv.Drive{TransactionID: "t", Capability: cv.Recording, Operation: "pause", From: cv.InProgress,
				Target: cv.Paused, At: at, Reasons: []cv.Reason{r}, Since: at, Note: "n"},
			Waiters: []cv.Waiter{{TransactionID: "t", Operation: "pause", Want: cv.Paused, Note: "n"}},
			Failure: &cv.Failure{Target: cv.Paused, Error: "e", Final: true, At: at},
			Parts:   []cv.Part{{Name: "p", State: cv.Paused}}, PartsFor: []cv.ReasonKind{cv.Manual}}
	}
	c := cv.Conversation{ID: "i", AgentID: "a", Platform: "p", Attributes: map[string]string{"k": "v"}, Node: "n",
		CallState: cv.Connected, Recording: capOf(), Transcription: capOf(),
		Sessions: []cv.SecureSession{{ID: "s", State: cv.SessionActive, By: "b", StartedAt: at, ExpiresAt: at, EndedAt: at, TokenHash: "h"}},
		Consent:  cv.ConsentGranted, CreatedAt: at, UpdatedAt: at, EndedAt: at, EndReason: "r", LastInputAt: at,
		SeenEvents: []string{"e"}, Version: 3}
	n := changes(reflect.ValueOf(&c).Elem(), -1)
	if n < 60 {
		t.Fatalf("only %d changes found in a full conversation", n)
	}
	for i := range n {
		d := c.Clone()
		changes(reflect.ValueOf(&d).Elem(), i)
		if c.Equal(d) || reflect.DeepEqual(c, d) {
			t.Fatalf("change %d left the conversation equal:\n%+v\n%+v", i, c, d)
		}
	}
}

// changes counts the single changes that can be made to v, and makes the
// one numbered target (none if target is negative).
func changes(v reflect.Value, target int) int {
	n := 0
	do := func(f func()) {
		if n == target {
			f()
		}
		n++
	}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		if target >= 0 && n > target {
			return // made: v may no longer be what the walk found
		}
		if t, ok := v.Interface().(time.Time); ok {
			do(func() { v.Set(reflect.ValueOf(t.Add(time.Nanosecond))) })
			return
		}
		switch v.Kind() {
		case reflect.String:
			do(func() { v.SetString(v.String() + "x") })
		case reflect.Bool:
			do(func() { v.SetBool(!v.Bool()) })
		case reflect.Int64:
			do(func() { v.SetInt(v.Int() + 1) })
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i))
			}
		case reflect.Pointer:
			if v.IsNil() {
				do(func() { v.Set(reflect.New(v.Type().Elem())) })
				return
			}
			do(func() { v.SetZero() })
			walk(v.Elem())
		case reflect.Slice:
			flipNil(v, do)
			do(func() { v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem()))) })
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Map:
			flipNil(v, do)
			do(func() { v.SetMapIndex(reflect.ValueOf("added"), reflect.ValueOf("v")) })
			for _, k := range v.MapKeys() {
				do(func() { v.SetMapIndex(k, reflect.ValueOf(v.MapIndex(k).String()+"x")) })
				if target >= 0 && n > target {
					return
				}
			}
		default:
			panic("changes: no rule for " + v.Type().String())
		}
	}
	walk(v)
	return n
}

// flipNil offers to make an empty slice or map nil, or a nil one empty.
func flipNil(v reflect.Value, do func(func())) {
	switch {
	case v.IsNil() && v.Kind() == reflect.Slice:
		do(func() { v.Set(reflect.MakeSlice(v.Type(), 0, 0)) })
	case v.IsNil():
		do(func() { v.Set(reflect.MakeMap(v.Type())) })
	case v.Len() == 0:
		do(func() { v.SetZero() })
	}
}

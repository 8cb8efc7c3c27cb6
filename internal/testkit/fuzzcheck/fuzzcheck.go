// Package fuzzcheck holds what every connector fuzz target shares: an Upstream that feeds
// the fuzz input to the connector's real HTTP path, and the checks applied to each call fed
// with it (Call, Records): it returns within its deadline (with a value or an error), and
// what it returns names its source on every record and carries times in UTC.
package fuzzcheck

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// Call runs call under deadline and fails t when it does not return soon after; a value it
// returns is checked with Records.
func Call[T any](t *testing.T, source string, deadline time.Duration, what string, call func(context.Context) (T, error)) (T, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	var (
		v    T
		err  error
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		v, err = call(ctx)
	}()
	select {
	case <-done:
	case <-time.After(deadline + 2*time.Second):
		t.Fatalf("%s did not return within its %v deadline", what, deadline)
	}
	if err == nil {
		Records(t, source, what, v)
	}
	return v, err
}

// With binds the argument of a connector call that takes one after its context (a method
// value such as s.Alerts or s.FindIncident) to arg, for Call:
//
//	fuzzcheck.Call(t, SourceName, fuzzcheck.Deadline, "Alerts", fuzzcheck.With(s.Alerts, target))
func With[A, T any](call func(context.Context, A) (T, error), arg A) func(context.Context) (T, error) {
	return func(ctx context.Context) (T, error) { return call(ctx, arg) }
}

// NoValue adapts a connector call that returns only an error (s.Check, s.Warm) for Call.
func NoValue(call func(context.Context) error) func(context.Context) (struct{}, error) {
	return func(ctx context.Context) (struct{}, error) { return struct{}{}, call(ctx) }
}

var timeType = reflect.TypeFor[time.Time]()

// Records fails t when a record in v names another source than source or holds a time
// outside UTC: connectors set Source on every record and return UTC, whatever they read.
func Records(t *testing.T, source, what string, v any) {
	t.Helper()
	var walk func(x reflect.Value, path string)
	walk = func(x reflect.Value, path string) {
		switch x.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !x.IsNil() {
				walk(x.Elem(), path)
			}
		case reflect.Slice, reflect.Array:
			for i := range x.Len() {
				walk(x.Index(i), fmt.Sprintf("%s[%d]", path, i))
			}
		case reflect.Struct:
			if x.Type() == timeType {
				if tm := x.Interface().(time.Time); tm.Location() != time.UTC {
					t.Errorf("%s: %s = %v, not in UTC", what, path, tm)
				}
				return
			}
			for i := range x.NumField() {
				fd := x.Type().Field(i)
				switch {
				case !fd.IsExported():
				case fd.Name == "Source" && fd.Type.Kind() == reflect.String:
					if got := x.Field(i).String(); got != source {
						t.Errorf("%s: %s.Source = %q, want %q", what, path, got, source)
					}
				default:
					walk(x.Field(i), path+"."+fd.Name)
				}
			}
		}
	}
	walk(reflect.ValueOf(v), what)
}

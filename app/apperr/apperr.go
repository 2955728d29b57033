// Package apperr defines the kinds of failure the application distinguishes, so that one
// place (app/web) can map them to HTTP statuses and user-safe messages in Bahasa Indonesia.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the user; the zero value is Internal.
type Kind string

// The kinds the web layer maps to statuses.
const (
	Internal     Kind = "internal"     // 500, message hidden from the user
	Invalid      Kind = "invalid"      // 400
	Unauthorized Kind = "unauthorized" // 401
	Forbidden    Kind = "forbidden"    // 403
	NotFound     Kind = "not_found"    // 404
	Conflict     Kind = "conflict"     // 409
	Gone         Kind = "gone"         // 410: the thing exists but no longer takes this (a closed survey)
	TooLarge     Kind = "too_large"    // 413
	Unsupported  Kind = "unsupported"  // 415: a request body of a type the route does not take
	TooMany      Kind = "too_many"     // 429
)

// Error carries a kind and a message that is safe to show to the user.
type Error struct {
	Kind Kind
	Msg  string
	// Detail is optional structured data for API clients (e.g. the current answer on a conflict).
	Detail any
	// Field names the request field at fault, for API clients (the message, for people, says it
	// in words).
	Field string
}

func (e *Error) Error() string { return e.Msg }

// New returns an error of the given kind with a user-facing message.
func New(kind Kind, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// WithDetail returns an error of the given kind that also carries data for API clients.
func WithDetail(kind Kind, detail any, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...), Detail: detail}
}

// InField returns an Invalid error about one field of a request: the message says it in
// Bahasa Indonesia for people, Field names it for API clients ({"error", "code", "field"}).
func InField(field, format string, args ...any) error {
	return &Error{Kind: Invalid, Msg: fmt.Sprintf(format, args...), Field: field}
}

// FieldOf returns the field an error names, or "".
func FieldOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// KindOf reports the kind of err, Internal when err carries none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Message returns the user-facing message of err, or "" when it has none.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Msg
	}
	return ""
}

// DetailOf returns the structured detail err carries for API clients, or nil.
func DetailOf(err error) any {
	var e *Error
	if errors.As(err, &e) {
		return e.Detail
	}
	return nil
}

// Is reports whether err is of the given kind.
func Is(err error, kind Kind) bool { return err != nil && KindOf(err) == kind }

// Wrap annotates *errp with context, keeping its kind; use it as
// `defer apperr.Wrap(&err, "store.ByID(%s)", id)`.
func Wrap(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *errp)
	}
}

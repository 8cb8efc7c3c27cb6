// Package caller carries who is asking (the signed-in subject and the client it uses)
// from the HTTP transport to the tools, so that each tool call can be logged with it.
package caller

import "context"

// Caller is the identity behind a request. Both fields are empty for stdio and for the
// static bearer token, which names no one.
type Caller struct {
	// Subject is the token's sub claim: the user (or service account) signed in.
	Subject string
	// ClientID is the OAuth client the token was issued to (client_id, or azp).
	ClientID string
}

type key struct{}

// With returns ctx carrying c.
func With(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, key{}, c)
}

// From returns the caller in ctx, if any.
func From(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(key{}).(Caller)
	return c, ok
}

type remoteKey struct{}

// WithRemote marks ctx as a request that came over the network (HTTP): the caller does not
// share the server's disk, so nothing is read from it on their behalf.
func WithRemote(ctx context.Context) context.Context {
	return context.WithValue(ctx, remoteKey{}, true)
}

// Remote reports whether ctx is a request that came over the network.
func Remote(ctx context.Context) bool {
	r, _ := ctx.Value(remoteKey{}).(bool)
	return r
}

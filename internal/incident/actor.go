package incident

import "context"

// Actor is who does something: a user or a token, and where the request came from.
type Actor struct {
	Name       string
	RemoteAddr string
	RequestID  string
}

// Anonymous names the actor of requests nobody signed in for.
const Anonymous = "anonymous"

type actorKey struct{}

// WithActor returns ctx carrying a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor carried by ctx, or Anonymous.
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	if a.Name == "" {
		a.Name = Anonymous
	}
	return a
}

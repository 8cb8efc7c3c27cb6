// Package catalogmodel is the Backstage software-catalog entity model shared by every
// catalog source (catalog-info.yaml files, the Backstage REST API): entity types, entity
// refs, validation against the catalog-model rules, and the mapping to internal/model.
// It does not know where entities come from.
package catalogmodel

// Annotations read by ToCatalog. Keys under opsctx.io/ are opsctx extensions; the
// others are Backstage or plugin conventions. All annotations are also copied to
// model.Service.Annotations, and those naming the service in other sources become its
// Refs (see refs.go).
const (
	// AnnotationAliases lists other names of a service, comma-separated
	// (e.g. "checkout-api, checkout-svc"); they become model.Service.Aliases.
	AnnotationAliases = "opsctx.io/aliases"
	// AnnotationChatChannel on a Group is the team's chat channel (model.Team.Channel).
	AnnotationChatChannel = "opsctx.io/chat-channel"
	// AnnotationContract on an API entity states the expectations consumers may rely on
	// (e.g. "timeout 2s, 99.9% availability"); it is copied to every consumer→provider edge.
	AnnotationContract = "opsctx.io/contract"
	// AnnotationViewURL is the entity's page in Backstage (model.Service.URL).
	AnnotationViewURL = "backstage.io/view-url"
)

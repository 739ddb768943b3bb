package api

import (
	"context"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hush-cc/hush/internal/auth"
)

// Route is one endpoint: how it is matched, who may call it, how it is
// documented and what serves it.
type Route struct {
	Method string
	Path   string
	// Roles may call the route; none means it is public.
	Roles   []auth.Role
	Summary string
	// Request and Response name schemas of the OpenAPI document ("" for
	// none); Status is the success status (200 when 0).
	Request  string
	Response string
	Status   int
	// Stream marks a text/event-stream response, Binary an audio/wav one.
	Stream  bool
	Binary  bool
	Handler http.HandlerFunc
}

type principalKey struct{}

// PrincipalFrom returns the authenticated caller of a request.
func PrincipalFrom(ctx context.Context) (auth.Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(auth.Principal)
	return p, ok
}

func withPrincipal(ctx context.Context, p auth.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

var (
	readers     = []auth.Role{auth.Admin, auth.Supervisor, auth.Agent}
	controllers = []auth.Role{auth.Admin, auth.Supervisor, auth.Agent}
	ingesters   = []auth.Role{auth.Admin, auth.Ingest}
	overseers   = []auth.Role{auth.Admin, auth.Supervisor}
	handlers    = []auth.Role{auth.Admin, auth.Supervisor, auth.Ingest}
	admins      = []auth.Role{auth.Admin}
)

func (s *Server) coreRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/healthz", Summary: "Liveness and store health", Response: "Health", Handler: s.health},
		{Method: "GET", Path: "/metrics", Roles: overseers, Summary: "Prometheus metrics", Handler: promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{}).ServeHTTP},
		{Method: "GET", Path: "/v1/openapi.json", Summary: "This document", Handler: s.openapi},
		{Method: "GET", Path: "/v1/me", Roles: allRoles(), Summary: "The caller's key, role and agent", Response: "Me", Handler: s.me},
		{Method: "GET", Path: "/v1/config", Roles: allRoles(), Summary: "Settings the console needs", Response: "ClientConfig", Handler: s.clientConfig},
		{Method: "GET", Path: "/v1/conversations", Roles: readers, Summary: "List conversations (agents see their own)", Response: "ConversationList", Handler: s.listConversations},
		{Method: "POST", Path: "/v1/conversations", Roles: ingesters, Summary: "Register a conversation (platform none)", Request: "CreateConversation", Response: "Conversation", Status: 201, Handler: s.createConversation},
		{Method: "GET", Path: "/v1/conversations/{id}", Roles: readers, Summary: "Get one conversation", Response: "Conversation", Handler: s.getConversation},
		{Method: "POST", Path: "/v1/conversations/{id}/hold", Roles: ingesters, Summary: "The caller was put on hold", Request: "PlatformEvent", Response: "Conversation", Status: 202, Handler: s.platformEvent},
		{Method: "POST", Path: "/v1/conversations/{id}/unhold", Roles: ingesters, Summary: "The caller was taken off hold", Request: "PlatformEvent", Response: "Conversation", Status: 202, Handler: s.platformEvent},
		{Method: "POST", Path: "/v1/conversations/{id}/end", Roles: ingesters, Summary: "The call ended", Request: "PlatformEvent", Response: "Conversation", Status: 202, Handler: s.platformEvent},
		{Method: "POST", Path: "/v1/conversations/{id}/transfer", Roles: handlers, Summary: "Hand the conversation to another agent; held pauses stay held", Request: "Transfer", Response: "Conversation", Handler: s.transfer},
		{Method: "POST", Path: "/v1/conversations/{id}/consent", Roles: handlers, Summary: "The customer's answer about recording; declined locks recording and transcription paused for good", Request: "Consent", Response: "Conversation", Handler: s.consent},
		{Method: "POST", Path: "/v1/conversations/{id}/{capability}/{operation}", Roles: controllers, Summary: "Start, pause, resume or stop recording or transcription", Request: "Command", Response: "CommandAccepted", Status: 202, Handler: s.command},
		{Method: "POST", Path: "/v1/conversations/{id}/secure-sessions", Roles: controllers, Summary: "Open a secure session: pauses everything until completed or expired", Request: "CreateSecureSession", Response: "SecureSessionCreated", Status: 201, Handler: s.createSecureSession},
		{Method: "POST", Path: "/v1/secure-sessions/{id}/complete", Summary: "Complete a secure session and resume", Response: "SecureSession", Handler: s.completeSecureSession},
		{Method: "GET", Path: "/v1/events", Roles: readers, Summary: "Server-sent events, resumable with Last-Event-ID", Stream: true, Handler: s.events},
		{Method: "GET", Path: "/v1/audit", Roles: overseers, Summary: "Audit entries, filtered", Response: "AuditList", Handler: s.auditList},
		{Method: "GET", Path: "/v1/audit/verify", Roles: overseers, Summary: "Verify the audit hash chain", Response: "AuditVerification", Handler: s.auditVerify},
		{Method: "POST", Path: "/v1/keys", Roles: admins, Summary: "Create an API key (shown once)", Request: "CreateKey", Response: "KeyCreated", Status: 201, Handler: s.createKey},
		{Method: "GET", Path: "/v1/webhooks", Roles: admins, Summary: "List webhooks", Response: "WebhookList", Handler: s.listWebhooks},
		{Method: "POST", Path: "/v1/webhooks", Roles: admins, Summary: "Register a webhook (secret shown once)", Request: "CreateWebhook", Response: "WebhookCreated", Status: 201, Handler: s.createWebhook},
		{Method: "DELETE", Path: "/v1/webhooks/{id}", Roles: admins, Summary: "Delete a webhook", Status: 204, Handler: s.deleteWebhook},
		{Method: "GET", Path: "/v1/webhooks/{id}/deliveries", Roles: admins, Summary: "The webhook's delivery log", Response: "DeliveryList", Handler: s.webhookDeliveries},
	}
}

func allRoles() []auth.Role { return []auth.Role{auth.Admin, auth.Supervisor, auth.Agent, auth.Ingest} }

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
	Stream bool
	Binary bool
	// Params are the query parameters and headers the route reads; a
	// query parameter not listed is refused with 400.
	Params  []Param
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
		{Method: "GET", Path: "/v1/conversations", Roles: readers, Summary: "List conversations, newest first, a page at a time (agents see their own)", Response: "ConversationList", Params: listParams, Handler: s.listConversations},
		{Method: "POST", Path: "/v1/conversations", Roles: ingesters, Summary: "Register a conversation (platform none)", Request: "CreateConversation", Response: "Conversation", Status: 201, Handler: s.createConversation},
		{Method: "GET", Path: "/v1/conversations/{id}", Roles: readers, Summary: "Get one conversation", Response: "Conversation", Handler: s.getConversation},
		{Method: "GET", Path: "/v1/conversations/{id}/timeline", Roles: readers, Summary: "The call's whole history of spans: running, paused by reason, on hold", Response: "Timeline", Handler: s.timeline},
		{Method: "POST", Path: "/v1/conversations/{id}/hold", Roles: ingesters, Summary: "The caller was put on hold", Request: "PlatformEvent", Response: "Conversation", Status: 202, Handler: s.platformEvent},
		{Method: "POST", Path: "/v1/conversations/{id}/unhold", Roles: ingesters, Summary: "The caller was taken off hold", Request: "PlatformEvent", Response: "Conversation", Status: 202, Handler: s.platformEvent},
		{Method: "POST", Path: "/v1/conversations/{id}/end", Roles: ingesters, Summary: "The call ended", Request: "PlatformEvent", Response: "Conversation", Status: 202, Handler: s.platformEvent},
		{Method: "POST", Path: "/v1/conversations/{id}/transfer", Roles: handlers, Summary: "Hand the conversation to another agent; held pauses stay held", Request: "Transfer", Response: "Conversation", Handler: s.transfer},
		{Method: "POST", Path: "/v1/conversations/{id}/consent", Roles: handlers, Summary: "The customer's answer about recording; declined locks recording and transcription paused for good", Request: "Consent", Response: "Conversation", Handler: s.consent},
		{Method: "POST", Path: "/v1/conversations/{id}/{capability}/{operation}", Roles: controllers, Summary: "Start, pause, resume or stop recording or transcription", Request: "Command", Response: "CommandAccepted", Status: 202, Handler: s.command},
		{Method: "POST", Path: "/v1/conversations/{id}/secure-sessions", Roles: controllers, Summary: "Open a secure session: pauses everything until completed or expired", Request: "CreateSecureSession", Response: "SecureSessionCreated", Status: 201, Handler: s.createSecureSession},
		{Method: "POST", Path: "/v1/secure-sessions/{id}/complete", Summary: "Complete a secure session and resume", Response: "SecureSession", Handler: s.completeSecureSession,
			Params: []Param{query("token", "string", "The session's one-time completion token, when no API key is sent")}},
		{Method: "GET", Path: "/v1/events", Roles: readers, Summary: "Server-sent events from now on, or resumed with Last-Event-ID or after", Stream: true, Params: eventParams, Handler: s.events},
		{Method: "GET", Path: "/v1/audit", Roles: overseers, Summary: "Audit entries, filtered, newest first a page at a time", Response: "AuditList", Params: auditParams, Handler: s.auditList},
		{Method: "GET", Path: "/v1/audit/verify", Roles: overseers, Summary: "Verify the audit hash chain", Response: "AuditVerification", Handler: s.auditVerify},
		{Method: "POST", Path: "/v1/keys", Roles: admins, Summary: "Create an API key (shown once)", Request: "CreateKey", Response: "KeyCreated", Status: 201, Handler: s.createKey},
		{Method: "GET", Path: "/v1/keys", Roles: admins, Summary: "List API keys (never their secrets)", Response: "KeyList", Handler: s.listKeys},
		{Method: "POST", Path: "/v1/keys/{id}/revoke", Roles: admins, Summary: "Revoke an API key, at once, in every process", Response: "Key", Handler: s.revokeKey},
		{Method: "POST", Path: "/v1/keys/{id}/rotate", Roles: admins, Summary: "Issue a key like this one and revoke this one (new key shown once)", Response: "KeyCreated", Status: 201, Handler: s.rotateKey},
		{Method: "GET", Path: "/v1/webhooks", Roles: admins, Summary: "List webhooks", Response: "WebhookList", Handler: s.listWebhooks},
		{Method: "POST", Path: "/v1/webhooks", Roles: admins, Summary: "Register a webhook (secret shown once)", Request: "CreateWebhook", Response: "WebhookCreated", Status: 201, Handler: s.createWebhook},
		{Method: "DELETE", Path: "/v1/webhooks/{id}", Roles: admins, Summary: "Delete a webhook", Status: 204, Handler: s.deleteWebhook},
		{Method: "GET", Path: "/v1/webhooks/{id}/deliveries", Roles: admins, Summary: "The webhook's delivery log", Response: "DeliveryList", Handler: s.webhookDeliveries},
	}
}

func allRoles() []auth.Role { return []auth.Role{auth.Admin, auth.Supervisor, auth.Agent, auth.Ingest} }

var (
	listParams = []Param{
		query("state", "string", "live or ended; both when absent"),
		query("active", "boolean", "true is state=live (older spelling)"),
		query("agent", "string", "Only this agent's conversations; an agent key may name only its own agent"),
		query("since", "string", "Only conversations started at or after this RFC 3339 time"),
		query("limit", "integer", "Page size, 1 to 1000; 100 when absent"),
		query("cursor", "string", "The next value of the previous page: continue after it"),
	}
	eventParams = []Param{
		query("conversation", "string", "Only this conversation's events"),
		query("after", "integer", "Resume after this event sequence number; 0 replays all history. Without it, or Last-Event-ID, the stream starts after the newest event"),
		header("Last-Event-ID", "integer", "Resume after this event sequence number (set by EventSource on reconnect); wins over after"),
	}
	auditParams = []Param{
		query("conversation", "string", "Only this conversation's entries"),
		query("actor", "string", "Only this actor's entries"),
		query("reason", "string", "Only entries whose reason, outcome or detail contains this text (any case)"),
		query("limit", "integer", "Page size, 1 to 5000; 500 when absent"),
		query("cursor", "string", "The next value of the previous page: continue with older entries"),
		query("after", "integer", "Oldest first, from after this sequence number (for following the chain); not with cursor"),
	}
)

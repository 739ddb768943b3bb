package api

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

//go:embed schemas.json
var schemasJSON []byte

// OpenAPI builds the OpenAPI 3.1 document from the route table, so every
// route is documented by construction and the schemas live in one file.
func (s *Server) OpenAPI() map[string]any {
	var schemas map[string]any
	if err := json.Unmarshal(schemasJSON, &schemas); err != nil {
		panic("api: schemas.json is not valid JSON: " + err.Error())
	}
	paths := map[string]map[string]any{}
	for _, rt := range s.routes {
		if paths[rt.Path] == nil {
			paths[rt.Path] = map[string]any{}
		}
		paths[rt.Path][strings.ToLower(rt.Method)] = operation(rt)
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "hush",
			"version":     "1",
			"description": "Control plane that pauses contact-center recordings and transcriptions, retroactively, with a tamper-evident audit.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas":         schemas,
			"securitySchemes": map[string]any{"apiKey": map[string]any{"type": "http", "scheme": "bearer"}},
		},
	}
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

func operation(rt Route) map[string]any {
	status := rt.Status
	if status == 0 {
		status = http.StatusOK
	}
	resp := map[string]any{"description": http.StatusText(status)}
	switch {
	case rt.Stream:
		resp["content"] = map[string]any{"text/event-stream": map[string]any{"schema": map[string]any{"type": "string"}}}
	case rt.Binary:
		resp["content"] = map[string]any{"audio/wav": map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
	case rt.Response != "":
		resp["content"] = jsonContent(rt.Response)
	}
	op := map[string]any{
		"summary":     rt.Summary,
		"operationId": operationID(rt),
		"responses": map[string]any{
			strconv.Itoa(status): resp,
			"default":            map[string]any{"description": "Error", "content": jsonContent("Error")},
		},
	}
	if len(rt.Roles) > 0 {
		roles := make([]string, len(rt.Roles))
		for i, r := range rt.Roles {
			roles[i] = string(r)
		}
		op["security"] = []any{map[string]any{"apiKey": []any{}}}
		op["x-roles"] = roles
	}
	var params []any
	for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	for _, p := range rt.Params {
		param := map[string]any{"name": p.Name, "in": p.In, "required": false, "schema": map[string]any{"type": p.Type}}
		if p.Description != "" {
			param["description"] = p.Description
		}
		params = append(params, param)
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	if rt.Request != "" {
		op["requestBody"] = map[string]any{"required": false, "content": jsonContent(rt.Request)}
	}
	return op
}

func jsonContent(schema string) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + schema}}}
}

func operationID(rt Route) string {
	id := strings.ToLower(rt.Method) + pathParam.ReplaceAllString(rt.Path, "By-$1")
	return strings.NewReplacer("/", "-", ".", "-", "{", "", "}", "").Replace(id)
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusOK, s.OpenAPI())
}

package api

import (
	"net/http"
	"slices"
	"strings"
)

// Param is a query parameter or header a route reads. The route table is
// the one list of them: requests are checked against it and the OpenAPI
// document is built from it.
type Param struct {
	Name string
	// In is "query" or "header".
	In          string
	Type        string // JSON schema type: string, integer, boolean
	Description string
}

func query(name, typ, description string) Param {
	return Param{Name: name, In: "query", Type: typ, Description: description}
}

func header(name, typ, description string) Param {
	return Param{Name: name, In: "header", Type: typ, Description: description}
}

// unknownQuery returns the first query parameter of r that rt does not
// declare, so a misspelt filter is refused instead of silently ignored.
func unknownQuery(rt Route, r *http.Request) string {
	if r.URL.RawQuery == "" {
		return ""
	}
	var names []string
	for k := range r.URL.Query() {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if !slices.ContainsFunc(rt.Params, func(p Param) bool { return p.In == "query" && p.Name == k }) {
			return k
		}
	}
	return ""
}

// takes describes the query parameters rt declares, for an error message.
func takes(rt Route) string {
	var names []string
	for _, p := range rt.Params {
		if p.In == "query" {
			names = append(names, p.Name)
		}
	}
	if len(names) == 0 {
		return "this route takes no query parameters"
	}
	return "this route takes " + strings.Join(names, ", ")
}

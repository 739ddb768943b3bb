// Package js holds hush's browser SDK (hush.js) and the Dynamics 365 Contact
// Center compatibility shim (ccaas-compat.js) so the server can embed them.
package js

import "embed"

// FS holds hush.js and ccaas-compat.js at its root.
//
//go:embed hush.js ccaas-compat.js
var FS embed.FS

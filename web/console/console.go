// Package console embeds hush's browser console, the sample secure payment
// page and the JS SDK, and serves them.
package console

import (
	"embed"
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"

	sdk "github.com/hush-cc/hush/sdk/js"
)

//go:embed index.html app.css favicon.svg js/*.js pay/index.html pay/pay.js pay/pay.css
var files embed.FS

// ContentSecurityPolicy is sent with the console's pages: scripts, styles
// and API calls from hush's own origin only, recordings played from blob:
// URLs, and no framing.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// sdkFiles maps the URL paths of the SDK to their names in the sdk/js package.
var sdkFiles = map[string]string{
	"/sdk/hush.js":         "hush.js",
	"/sdk/ccaas-compat.js": "ccaas-compat.js",
}

// FS returns the console's files: index.html, app.css, js/ and pay/.
func FS() fs.FS { return files }

// Handler serves the console at /, its assets, the sample payment page at
// /pay/ and the SDK at /sdk/hush.js and /sdk/ccaas-compat.js. Mount it at
// the root, beside the API.
func Handler() http.Handler {
	return http.HandlerFunc(serve)
}

func serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	// Revalidate on every load so an upgraded hush is seen at once.
	h.Set("Cache-Control", "no-cache")

	if name, ok := sdkFiles[r.URL.Path]; ok {
		// Pages on other origins load these with <script src> or import();
		// they hold no secrets.
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		http.ServeFileFS(w, r, sdk.FS, name)
		return
	}

	name, redirect, err := resolve(r.URL.Path)
	switch {
	case redirect != "":
		http.Redirect(w, r, redirect, http.StatusMovedPermanently)
		return
	case err != nil:
		http.NotFound(w, r)
		return
	}
	if strings.HasSuffix(name, ".html") {
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
	}
	http.ServeFileFS(w, r, files, name)
}

// resolve maps a URL path to a file name in the console FS, or to the path
// a directory without its trailing slash should redirect to. Directories
// are never listed.
func resolve(urlPath string) (name, redirect string, err error) {
	clean := path.Clean("/" + urlPath)
	name = strings.TrimPrefix(clean, "/")
	if strings.HasSuffix(urlPath, "/") {
		name = path.Join(name, "index.html")
	}
	if name == "" || name == "." {
		name = "index.html"
	}
	info, err := fs.Stat(files, name)
	if err != nil {
		return "", "", err
	}
	if info.IsDir() {
		if _, err := fs.Stat(files, path.Join(name, "index.html")); err == nil {
			return "", clean + "/", nil
		}
		return "", "", errors.New("console: directories are not listed")
	}
	return name, "", nil
}

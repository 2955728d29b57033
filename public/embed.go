// Package public holds the browser assets written for Rapor RB (css, js, img), embedded in
// the binary. Third-party assets (echarts, htmx) are installed from npm into public/vendor by
// the Makefile and served from disk; they are never committed.
package public

import "embed"

// FS holds css/, js/ and img/.
//
//go:embed css js img
var FS embed.FS

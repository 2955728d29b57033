// Package instruments embeds the instrument sheets (YAML) that ship with Rapor RB.
// A new sheet is a new file here; no code changes.
package instruments

import "embed"

// FS holds every *.yaml sheet of this folder.
//
//go:embed *.yaml
var FS embed.FS

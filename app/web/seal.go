package web

import (
	"crypto/hmac"
	"encoding/base64"
	"strings"
)

// Seal signs payload for one purpose with the server's key (the CSRF key, shared by the
// instances of one database), the way the anonymous login form's nonce is signed: the token
// is "<payload base64url>.<HMAC-SHA256 base64url>". It is signed, not encrypted: put nothing
// secret in it. A session-less public form uses it for a per-form token (app/survey: when
// the form was served, for which survey).
func (s *Server) Seal(purpose string, payload []byte) string {
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + s.mac("seal/"+purpose, p)
}

// maxSealed bounds a sealed token read back (characters): nothing is decoded past it.
const maxSealed = 512

// Unseal returns the payload of a token made by Seal for the same purpose, or false for
// anything else (another purpose, a changed byte, a wrong type of token).
func (s *Server) Unseal(purpose, token string) ([]byte, bool) {
	if len(token) > maxSealed {
		return nil, false
	}
	p, sig, ok := strings.Cut(token, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.mac("seal/"+purpose, p))) {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return nil, false
	}
	return b, true
}

package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// CSRF tokens are derived, never stored, so anonymous traffic costs no memory and any number
// of instances sharing the key (Config.CSRFKey, kept in the database) agree:
//   - signed in with the session cookie: HMAC(key, "sesi", session token). A new session at
//     login and its end at logout rotate it.
//   - anonymous (the login form): a signed double submit. A random nonce in the cookie
//     raporrb_csrf, set only when a page prints a token (a page with a form), and the token
//     HMAC(key, "anon", nonce) in the form. Login and logout clear the nonce.
//   - bearer tokens (the API) need none: a browser never sends them by itself.
//
// The token reaches templates as a value whose String method computes it, so a page that
// prints no form mints nothing.

const (
	csrfHeader   = "X-Csrf-Token"
	localCSRFVal = "csrf_value"
	nonceLen     = 43 // base64url of 32 bytes
)

// csrfToken is the token of one request as templates see it: {{.CSRF}} calls String.
type csrfToken struct {
	s *Server
	c *fiber.Ctx
}

// String returns the request's CSRF token, minting the anonymous nonce cookie on first use.
func (t csrfToken) String() string { return t.s.csrfTokenFor(t.c) }

func (s *Server) mac(purpose, value string) string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func validNonce(n string) bool {
	if len(n) != nonceLen {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(n)
	return err == nil
}

func (s *Server) csrfTokenFor(c *fiber.Ctx) string {
	if v, ok := c.Locals(localCSRFVal).(string); ok {
		return v
	}
	var tok string
	switch {
	case c.Locals(localVia) == "bearer":
		tok = ""
	case CurrentUser(c) != nil:
		tok = s.mac("sesi", c.Cookies(sessionCookie))
	default:
		nonce := c.Cookies(csrfCookie)
		if !validNonce(nonce) {
			b := make([]byte, 32)
			_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
			nonce = base64.RawURLEncoding.EncodeToString(b)
			// A session cookie (no Expires): an absolute expiry from the server's clock
			// would mean nothing to a browser whose clock differs.
			c.Cookie(&fiber.Cookie{Name: csrfCookie, Value: nonce, Path: "/", HTTPOnly: true,
				Secure: s.secure(c), SameSite: fiber.CookieSameSiteLaxMode, SessionOnly: true})
		}
		tok = s.mac("anon", nonce)
	}
	c.Locals(localCSRFVal, tok)
	return tok
}

// clearAnonCSRF drops the anonymous nonce (at login and logout), so the next form gets a
// fresh one.
func (s *Server) clearAnonCSRF(c *fiber.Ctx) {
	if c.Cookies(csrfCookie) != "" {
		c.Cookie(&fiber.Cookie{Name: csrfCookie, Value: "", Path: "/", HTTPOnly: true, Secure: s.secure(c),
			SameSite: fiber.CookieSameSiteLaxMode, MaxAge: -1})
	}
	c.Locals(localCSRFVal, nil)
}

// checkCSRF refuses an unsafe request of a page route whose token does not match: the
// X-Csrf-Token header, else the _csrf form field, else (multipart uploads, whose body is
// streamed to the handler) the _csrf query parameter.
func (s *Server) checkCSRF(api bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		switch c.Method() {
		case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions, fiber.MethodTrace:
			return c.Next()
		}
		if api || c.Locals(localVia) == "bearer" {
			return c.Next()
		}
		got := c.Get(csrfHeader)
		if got == "" {
			if IsMultipart(c) {
				got = c.Query(csrfField)
			} else {
				got = string(c.Request().PostArgs().Peek(csrfField))
			}
		}
		var want string
		if CurrentUser(c) != nil {
			want = s.mac("sesi", c.Cookies(sessionCookie))
		} else if nonce := c.Cookies(csrfCookie); validNonce(nonce) {
			want = s.mac("anon", nonce)
		}
		if want == "" || got == "" || !hmac.Equal([]byte(strings.TrimSpace(got)), []byte(want)) {
			return errForbidden("Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi.")
		}
		return c.Next()
	}
}

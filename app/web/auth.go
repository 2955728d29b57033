package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
)

// authenticate puts the user of the bearer token or session cookie into the request, and
// how it came (localVia): API routes take only the bearer token (see body). A stale or
// unknown token is treated as anonymous, never as an error page.
func (s *Server) authenticate(c *fiber.Ctx) error {
	if strings.HasPrefix(c.Path(), "/static/") || strings.HasPrefix(c.Path(), "/vendor/") {
		return c.Next()
	}
	token, via := "", ""
	if h := c.Get(fiber.HeaderAuthorization); strings.HasPrefix(h, "Bearer ") {
		token, via = strings.TrimSpace(strings.TrimPrefix(h, "Bearer ")), "bearer"
	} else if v := c.Cookies(sessionCookie); v != "" {
		token, via = v, "cookie"
	}
	c.Locals(localCSRF, csrfToken{s: s, c: c})
	if token == "" {
		return c.Next()
	}
	u, err := s.sessions.UserForToken(c.UserContext(), token)
	switch {
	case err == nil:
		c.Locals(localUser, u)
		c.Locals(localVia, via)
	case apperr.Is(err, apperr.Unauthorized):
		if via == "cookie" {
			c.ClearCookie(sessionCookie)
		}
	default:
		return err
	}
	return c.Next()
}

type loginRequest struct {
	Username string `json:"username" form:"username"`
	Password string `json:"password" form:"password"`
}

// login checks a username and password after the delay the account's failures call for, and
// records the outcome for the throttle. Errors: Unauthorized (the one message), or the
// request's context ending while it waits.
func (s *Server) login(c *fiber.Ctx, username, password string) (*account.User, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if err := s.slowDown(c.UserContext(), username); err != nil {
		return nil, apperr.New(apperr.TooMany, "Terlalu banyak percobaan masuk yang gagal untuk akun ini. Coba lagi sebentar lagi.")
	}
	u, err := s.sessions.Authenticate(c.UserContext(), username, password)
	if err == nil || apperr.Is(err, apperr.Unauthorized) {
		s.recordLogin(username, err == nil)
	}
	if err != nil {
		// The per-address limiter reads the status before the error handler runs: set it
		// now so the failure counts.
		c.Status(fiber.StatusUnauthorized)
	}
	return u, err
}

func (s *Server) sessionCookieOf(c *fiber.Ctx, token string) *fiber.Cookie {
	// Max-Age, never Expires: an absolute time from the server's clock means nothing to a
	// browser whose clock differs (a laptop hours off, or a test server on a fixed date)
	// and would drop the cookie at once. The session itself expires on the server.
	return &fiber.Cookie{Name: sessionCookie, Value: token, Path: "/", HTTPOnly: true, Secure: s.secure(c),
		SameSite: fiber.CookieSameSiteLaxMode, MaxAge: int(s.cfg.SessionTTL / time.Second)}
}

func (s *Server) clearSession(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: "", Path: "/", HTTPOnly: true, Secure: s.secure(c),
		SameSite: fiber.CookieSameSiteLaxMode, MaxAge: -1})
	s.clearAnonCSRF(c)
}

func (s *Server) loginRoutes(r Router) {
	perAddress := s.perAddress()

	r.Get("/masuk", account.PublicAccess, func(c *fiber.Ctx) error {
		if CurrentUser(c) != nil {
			return c.Redirect(safeNext(c.Query("lanjut")))
		}
		return Render(c, "login", "Masuk", fiber.Map{"Lanjut": safeNext(c.Query("lanjut"))})
	})
	r.Post("/masuk", account.PublicAccess, perAddress, func(c *fiber.Ctx) error {
		username := strings.ToLower(strings.TrimSpace(c.FormValue("username")))
		u, err := s.login(c, username, c.FormValue("password"))
		if apperr.Is(err, apperr.Unauthorized) {
			c.Status(fiber.StatusUnauthorized)
			return Render(c, "login", "Masuk", fiber.Map{"Galat": apperr.Message(err), "Username": username, "Lanjut": safeNext(c.FormValue("lanjut"))})
		} else if err != nil {
			return err
		}
		token, err := s.sessions.NewSession(c.UserContext(), u.Username, account.WebSession, s.cfg.SessionTTL)
		if err != nil {
			return err
		}
		// A new session is a new CSRF token; the anonymous nonce of the login form goes.
		s.clearAnonCSRF(c)
		c.Cookie(s.sessionCookieOf(c, token))
		if err := s.record(c, u.Username, "login", "web"); err != nil {
			return err
		}
		return c.Redirect(safeNext(c.FormValue("lanjut")), fiber.StatusSeeOther)
	})
	r.Post("/keluar", account.SignedIn, func(c *fiber.Ctx) error {
		if err := s.sessions.EndSession(c.UserContext(), c.Cookies(sessionCookie)); err != nil {
			return err
		}
		if err := s.record(c, CurrentUser(c).Username, "logout", "web"); err != nil {
			return err
		}
		s.clearSession(c)
		return c.Redirect("/masuk", fiber.StatusSeeOther)
	})
	// "Keluar dari semua perangkat": every browser session and API token of the user ends.
	r.Post("/keluar-semua", account.SignedIn, func(c *fiber.Ctx) error {
		if err := s.sessions.EndAllSessions(c.UserContext(), CurrentUser(c).Username); err != nil {
			return err
		}
		if err := s.record(c, CurrentUser(c).Username, "logout", "semua perangkat"); err != nil {
			return err
		}
		s.clearSession(c)
		return c.Redirect("/masuk", fiber.StatusSeeOther)
	})

	r.Post("/api/v1/auth/login", account.PublicAccess, perAddress, func(c *fiber.Ctx) error {
		var req loginRequest
		if err := json.Unmarshal(c.Body(), &req); err != nil {
			return apperr.New(apperr.Invalid, "Badan permintaan harus JSON {\"username\", \"password\"}.")
		}
		u, err := s.login(c, req.Username, req.Password)
		if err != nil {
			return err
		}
		token, err := s.sessions.NewSession(c.UserContext(), u.Username, account.APIToken, s.cfg.SessionTTL)
		if err != nil {
			return err
		}
		if err := s.record(c, u.Username, "login", "api"); err != nil {
			return err
		}
		// expires_in is relative (seconds), for clients whose clock differs from the server's.
		// must_change_password: until PUT /api/v1/me/password, every other call is 403.
		return c.JSON(fiber.Map{"token": token, "expires_in": int(s.cfg.SessionTTL / time.Second), "user": u,
			"must_change_password": u.MustChangePassword})
	})
	// Revokes the caller's own bearer token (logout for API clients).
	r.Delete("/api/v1/auth/token", account.SignedIn, func(c *fiber.Ctx) error {
		h := c.Get(fiber.HeaderAuthorization)
		if err := s.sessions.EndSession(c.UserContext(), strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	})
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" {
		return "/"
	}
	return next
}

// record puts a login or logout into the audit log, when one is connected.
func (s *Server) record(c *fiber.Ctx, username, action, how string) error {
	if s.cfg.Record == nil {
		return nil
	}
	return s.cfg.Record(c.UserContext(), username, action, how)
}

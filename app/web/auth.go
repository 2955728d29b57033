package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
)

// authenticate puts the user of the session cookie or bearer token into the request.
// A stale or unknown token is treated as anonymous, never as an error page.
func (s *Server) authenticate(c *fiber.Ctx) error {
	token := ""
	if h := c.Get(fiber.HeaderAuthorization); strings.HasPrefix(h, "Bearer ") {
		token = strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
	} else if !isAPI(c) {
		token = c.Cookies(sessionCookie)
	}
	if token == "" || strings.HasPrefix(c.Path(), "/static/") || strings.HasPrefix(c.Path(), "/vendor/") {
		return c.Next()
	}
	u, err := s.sessions.UserForToken(c.UserContext(), token)
	switch {
	case err == nil:
		c.Locals(localUser, u)
	case apperr.Is(err, apperr.Unauthorized):
		if !isAPI(c) {
			c.ClearCookie(sessionCookie)
		}
	default:
		return err
	}
	return c.Next()
}

// loginThrottle counts failed logins (responses ≥ 400) per key and answers 429 past max.
func (s *Server) loginThrottle(max int, key func(*fiber.Ctx) string) fiber.Handler {
	return limiter.New(limiter.Config{
		Max:                    max,
		Expiration:             s.cfg.LoginWindow,
		KeyGenerator:           key,
		SkipSuccessfulRequests: true,
		LimitReached: func(c *fiber.Ctx) error {
			return apperr.New(apperr.TooMany, "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam %d menit.", int(s.cfg.LoginWindow/time.Minute))
		},
	})
}

type loginRequest struct {
	Username string `json:"username" form:"username"`
	Password string `json:"password" form:"password"`
}

// loginUsername reads the username for the per-account throttle without consuming the body.
func loginUsername(c *fiber.Ctx) string {
	var req loginRequest
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		_ = json.Unmarshal(c.Body(), &req)
	} else {
		req.Username = c.FormValue("username")
	}
	return "akun:" + strings.ToLower(strings.TrimSpace(req.Username))
}

func (s *Server) loginRoutes(r Router) {
	perAccount := s.loginThrottle(s.cfg.LoginMaxPerAccount, loginUsername)
	perAddress := s.loginThrottle(s.cfg.LoginMaxPerAddress, func(c *fiber.Ctx) string { return "alamat:" + c.IP() })

	r.Get("/masuk", account.PublicAccess, func(c *fiber.Ctx) error {
		if CurrentUser(c) != nil {
			return c.Redirect("/")
		}
		return Render(c, "login", "Masuk", fiber.Map{"Lanjut": safeNext(c.Query("lanjut"))})
	})
	r.Post("/masuk", account.PublicAccess, perAddress, perAccount, func(c *fiber.Ctx) error {
		username := strings.ToLower(strings.TrimSpace(c.FormValue("username")))
		u, err := s.sessions.Authenticate(c.UserContext(), username, c.FormValue("password"))
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
		// Max-Age, never Expires: an absolute time from the server's clock means nothing to a
		// browser whose clock differs (a laptop hours off, or a test server on a fixed date)
		// and would drop the cookie at once. The session itself expires on the server.
		c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: token, Path: "/", HTTPOnly: true, Secure: s.cfg.CookieSecure,
			SameSite: fiber.CookieSameSiteLaxMode, MaxAge: int(s.cfg.SessionTTL / time.Second)})
		return c.Redirect(safeNext(c.FormValue("lanjut")), fiber.StatusSeeOther)
	})
	r.Post("/keluar", account.SignedIn, func(c *fiber.Ctx) error {
		if err := s.sessions.EndSession(c.UserContext(), c.Cookies(sessionCookie)); err != nil {
			return err
		}
		c.ClearCookie(sessionCookie)
		return c.Redirect("/masuk", fiber.StatusSeeOther)
	})

	r.Post("/api/v1/auth/login", account.PublicAccess, perAddress, perAccount, func(c *fiber.Ctx) error {
		var req loginRequest
		if err := json.Unmarshal(c.Body(), &req); err != nil {
			return apperr.New(apperr.Invalid, "Badan permintaan harus JSON {\"username\", \"password\"}.")
		}
		u, err := s.sessions.Authenticate(c.UserContext(), strings.ToLower(strings.TrimSpace(req.Username)), req.Password)
		if err != nil {
			// The throttle reads the status before the error handler runs: set it now so the
			// failure counts.
			c.Status(fiber.StatusUnauthorized)
			return err
		}
		token, err := s.sessions.NewSession(c.UserContext(), u.Username, account.APIToken, s.cfg.SessionTTL)
		if err != nil {
			return err
		}
		// expires_in is relative (seconds), for clients whose clock differs from the server's.
		// must_change_password: until PUT /api/v1/me/password, every other call is 403.
		return c.JSON(fiber.Map{"token": token, "expires_in": int(s.cfg.SessionTTL / time.Second), "user": u,
			"must_change_password": u.MustChangePassword})
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

package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
)

// passwordGate holds a user who signed in with a one-time password (a new account, a reset)
// to replacing it: pages redirect to the change form, every other call gets 403 until
// PUT /api/v1/me/password succeeds (account.AllowedBeforePasswordChange lists the exceptions).
func (s *Server) passwordGate(c *fiber.Ctx) error {
	u := CurrentUser(c)
	if u == nil || !u.MustChangePassword || account.AllowedBeforePasswordChange(c.Method(), c.Path()) {
		return c.Next()
	}
	if isAPI(c) || c.Method() != fiber.MethodGet {
		return errForbidden("Ganti kata sandi sementara Anda terlebih dahulu (PUT /api/v1/me/password dengan {\"old\", \"new\"}).")
	}
	return c.Redirect(account.PasswordPage, fiber.StatusSeeOther)
}

package admin

import (
	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/web"
)

// passwordRoutes are every signed-in user's own: their profile and the change of their
// password (the only things a user holding a one-time password may reach, with signing out).
func (h *Handler) passwordRoutes(r web.Router) {
	r.Get("/api/v1/me", account.SignedIn, h.apiMe)
	r.Put("/api/v1/me/password", account.SignedIn, h.apiChangePassword)
	r.Get(account.PasswordPage, account.SignedIn, h.passwordPage)
	r.Post(account.PasswordPage, account.SignedIn, h.changePasswordForm)
}

func (h *Handler) apiMe(c *fiber.Ctx) error { return c.JSON(web.CurrentUser(c)) }

// changePassword checks old and sets new, audited, and clears the one-time flag.
func (h *Handler) changePassword(c *fiber.Ctx, old, pw string) error {
	u := web.CurrentUser(c)
	return h.Users.ChangePassword(c.UserContext(), u.Username, old, pw,
		h.record(h.event(u, audit.UserPassword, u.Username, kecOf(*u), "mengganti kata sandinya sendiri")))
}

func (h *Handler) apiChangePassword(c *fiber.Ctx) error {
	var req struct {
		Old string `json:"old"`
		New string `json:"new"`
	}
	if err := decode(c, &req, `{"old", "new"}`); err != nil {
		return err
	}
	if err := h.changePassword(c, req.Old, req.New); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"changed": true, "must_change_password": false})
}

func (h *Handler) renderPassword(c *fiber.Ctx, msg string) error {
	return web.Render(c, "account/password", "Ganti kata sandi", fiber.Map{"Galat": msg, "Min": account.MinPasswordLength,
		"Saved": c.Query("tersimpan") != ""})
}

func (h *Handler) passwordPage(c *fiber.Ctx) error { return h.renderPassword(c, "") }

func (h *Handler) changePasswordForm(c *fiber.Ctx) error {
	if c.FormValue("new") != c.FormValue("again") {
		c.Status(fiber.StatusBadRequest)
		return h.renderPassword(c, "Kata sandi baru dan ulangannya tidak sama.")
	}
	if err := h.changePassword(c, c.FormValue("old"), c.FormValue("new")); err != nil {
		return formError(c, err, func(msg string) error { return h.renderPassword(c, msg) })
	}
	if web.CurrentUser(c).MustChangePassword {
		return c.Redirect("/", fiber.StatusSeeOther) // held here until now: on to the home page
	}
	return c.Redirect(account.PasswordPage+"?tersimpan=1", fiber.StatusSeeOther)
}

package admin

import (
	"context"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/unit"
	"github.com/rapor-rb/raporrb/app/web"
)

func (h *Handler) userRoutes(r web.Router) {
	r.Get("/api/v1/users", account.AdminsOnly, h.apiUsers)
	r.Post("/api/v1/users", account.AdminsOnly, h.apiCreateUser)
	r.Patch("/api/v1/users/:username", account.AdminsOnly, h.apiPatchUser)
	r.Post("/api/v1/users/:username/password", account.AdminsOnly, h.apiResetPassword)
	r.Upload("/api/v1/users/import", account.AdminsOnly, h.apiImportUsers)
	r.Get("/admin/pengguna", account.AdminsOnly, h.usersPage)
	r.Post("/admin/pengguna", account.AdminsOnly, h.createUserForm)
	r.Get("/admin/pengguna/:username", account.AdminsOnly, h.userPage)
	r.Post("/admin/pengguna/:username", account.AdminsOnly, h.updateUserForm)
	r.Post("/admin/pengguna/:username/sandi", account.AdminsOnly, h.resetPasswordForm)
	r.Upload("/admin/impor/pengguna", account.AdminsOnly, h.previewUsersForm)
	r.Post("/admin/impor/pengguna/terapkan", account.AdminsOnly, h.applyUsersForm)
}

// newUser is the body of POST /api/v1/users.
type newUser struct {
	Username string       `json:"username"`
	Name     string       `json:"name"`
	NIP      string       `json:"nip"`
	Role     account.Role `json:"role"`
	Unit     string       `json:"unit"`
}

func (n newUser) user() account.User {
	return account.User{Username: strings.ToLower(strings.TrimSpace(n.Username)), Name: n.Name, NIP: strings.TrimSpace(n.NIP),
		Role: n.Role, Unit: strings.TrimSpace(n.Unit)}
}

// checkUnit says whether a user's unit exists and suits the role: staf and camat belong to a
// kecamatan, active. Errors: Invalid naming the field unit.
func checkUnit(units map[string]unit.Unit, role account.Role, code string) error {
	if code == "" {
		return nil // account.User.Check says when a unit is required
	}
	u, ok := units[code]
	switch {
	case !ok:
		return apperr.InField("unit", "Unit %q tidak ditemukan.", code)
	case (role == account.Staf || role == account.Camat) && u.Kind != unit.Kecamatan:
		return apperr.InField("unit", "%s harus terhubung ke kecamatan, bukan %s.", role.Label(), u.Kind.Label())
	case (role == account.Staf || role == account.Camat) && !u.Active:
		return apperr.InField("unit", "Kecamatan %s tidak aktif.", u.Name)
	}
	return nil
}

func (h *Handler) unitMap(ctx context.Context) (map[string]unit.Unit, error) {
	us, err := h.Units.List(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]unit.Unit, len(us))
	for _, u := range us {
		m[u.Code] = u
	}
	return m, nil
}

// kecOf is the kecamatan an audit event about u concerns, if any.
func kecOf(u account.User) string {
	if u.Role == account.Staf || u.Role == account.Camat {
		return u.Unit
	}
	return ""
}

// createUser stores a new user with a one-time password, audited, and returns the password.
func (h *Handler) createUser(ctx context.Context, by *account.User, u account.User) (string, error) {
	if err := u.Check(); err != nil {
		return "", err
	}
	units, err := h.unitMap(ctx)
	if err != nil {
		return "", err
	}
	if err := checkUnit(units, u.Role, u.Unit); err != nil {
		return "", err
	}
	pw, err := account.NewPassword()
	if err != nil {
		return "", err
	}
	detail := fmt.Sprintf("%s, peran %s", u.Name, u.Role.Label())
	if u.Unit != "" {
		detail += ", unit " + u.Unit
	}
	return pw, h.Users.Create(ctx, u, pw, h.record(h.event(by, audit.UserCreate, u.Username, kecOf(u), detail)))
}

// updateUser applies p, audited; disabling ends the user's sessions at once (account.Update).
func (h *Handler) updateUser(ctx context.Context, by *account.User, username string, p account.UserPatch) (*account.User, error) {
	if p.Unit != nil || p.Role != nil {
		cur, err := h.Users.ByUsername(ctx, username)
		if err != nil {
			return nil, err
		}
		role, code := cur.Role, cur.Unit
		if p.Role != nil {
			role = *p.Role
		}
		if p.Unit != nil {
			code = *p.Unit
		}
		units, err := h.unitMap(ctx)
		if err != nil {
			return nil, err
		}
		if err := checkUnit(units, role, code); err != nil {
			return nil, err
		}
	}
	if p.Disabled != nil && *p.Disabled && username == by.Username {
		return nil, apperr.InField("disabled", "Anda tidak dapat menonaktifkan akun Anda sendiri.")
	}
	return h.Users.Update(ctx, username, p, func(ctx context.Context, before, after account.User) error {
		var changes []string
		if before.Name != after.Name {
			changes = append(changes, fmt.Sprintf("nama %q → %q", before.Name, after.Name))
		}
		if before.NIP != after.NIP {
			changes = append(changes, "NIP diubah")
		}
		if before.Role != after.Role {
			changes = append(changes, fmt.Sprintf("peran %s → %s", before.Role.Label(), after.Role.Label()))
		}
		if before.Unit != after.Unit {
			changes = append(changes, fmt.Sprintf("unit %s → %s", before.Unit, after.Unit))
		}
		if before.Disabled != after.Disabled {
			changes = append(changes, map[bool]string{true: "dinonaktifkan (sesi diakhiri)", false: "diaktifkan"}[after.Disabled])
		}
		if len(changes) == 0 {
			return nil
		}
		kec := kecOf(after)
		if kec == "" {
			kec = kecOf(before)
		}
		return h.Audit.Append(ctx, h.event(by, audit.UserUpdate, username, kec, strings.Join(changes, "; ")))
	})
}

// resetPassword gives a user a new one-time password, audited, ending their sessions.
func (h *Handler) resetPassword(ctx context.Context, by *account.User, username string) (string, error) {
	u, err := h.Users.ByUsername(ctx, username)
	if err != nil {
		return "", err
	}
	return h.Users.ResetPassword(ctx, username, h.record(h.event(by, audit.UserPassword, username, kecOf(*u), "kata sandi sementara baru (reset oleh admin)")))
}

func (h *Handler) apiUsers(c *fiber.Ctx) error {
	if _, err := manage(c); err != nil {
		return err
	}
	us, err := h.Users.List(c.UserContext())
	if err != nil {
		return err
	}
	if us == nil {
		us = []account.User{}
	}
	return c.JSON(fiber.Map{"users": us})
}

func (h *Handler) apiCreateUser(c *fiber.Ctx) error {
	by, err := manage(c)
	if err != nil {
		return err
	}
	var req newUser
	if err := decode(c, &req, `{"username", "name", "role", "unit", "nip"}`); err != nil {
		return err
	}
	u := req.user()
	pw, err := h.createUser(c.UserContext(), by, u)
	if err != nil {
		return err
	}
	got, err := h.Users.ByUsername(c.UserContext(), u.Username)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"user": got, "password": pw})
}

func (h *Handler) apiPatchUser(c *fiber.Ctx) error {
	by, err := manage(c)
	if err != nil {
		return err
	}
	var p account.UserPatch
	if err := decode(c, &p, `{"name", "nip", "role", "unit", "disabled"}`); err != nil {
		return err
	}
	u, err := h.updateUser(c.UserContext(), by, c.Params("username"), p)
	if err != nil {
		return err
	}
	return c.JSON(u)
}

func (h *Handler) apiResetPassword(c *fiber.Ctx) error {
	by, err := manage(c)
	if err != nil {
		return err
	}
	pw, err := h.resetPassword(c.UserContext(), by, c.Params("username"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"username": c.Params("username"), "password": pw, "must_change_password": true})
}

// userRow is a user on the list, with the unit's name.
type userRow struct {
	account.User
	UnitName string
}

func (h *Handler) renderUsers(c *fiber.Ctx, typed newUser, msg string) error {
	us, err := h.Users.List(c.UserContext())
	if err != nil {
		return err
	}
	units, err := h.unitMap(c.UserContext())
	if err != nil {
		return err
	}
	rows := make([]userRow, len(us))
	for i, u := range us {
		rows[i] = userRow{User: u, UnitName: units[u.Unit].Name}
	}
	all, err := h.Units.List(c.UserContext())
	if err != nil {
		return err
	}
	return web.Render(c, "admin/users", "Pengguna", fiber.Map{"Users": rows, "Roles": account.Roles, "Tree": tree(all),
		"Typed": typed, "Galat": msg})
}

func (h *Handler) usersPage(c *fiber.Ctx) error {
	if _, err := manage(c); err != nil {
		return err
	}
	return h.renderUsers(c, newUser{Role: account.Staf}, "")
}

// showPassword renders the one-time password, once (never stored in clear, never again).
func showPassword(c *fiber.Ctx, u *account.User, pw string, created bool) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return web.Render(c, "admin/password_once", "Kata sandi sementara", fiber.Map{"U": u, "Password": pw, "Created": created})
}

func (h *Handler) createUserForm(c *fiber.Ctx) error {
	by, err := manage(c)
	if err != nil {
		return err
	}
	typed := newUser{Username: c.FormValue("username"), Name: c.FormValue("name"), NIP: c.FormValue("nip"),
		Role: account.Role(c.FormValue("role")), Unit: c.FormValue("unit")}
	u := typed.user()
	pw, err := h.createUser(c.UserContext(), by, u)
	if err != nil {
		return formError(c, err, func(msg string) error { return h.renderUsers(c, typed, msg) })
	}
	got, err := h.Users.ByUsername(c.UserContext(), u.Username)
	if err != nil {
		return err
	}
	return showPassword(c, got, pw, true)
}

func (h *Handler) renderUser(c *fiber.Ctx, u *account.User, msg string) error {
	all, err := h.Units.List(c.UserContext())
	if err != nil {
		return err
	}
	return web.Render(c, "admin/user", u.Name, fiber.Map{"U": u, "Roles": account.Roles, "Tree": tree(all), "Galat": msg,
		"Saved": c.Query("tersimpan") != ""})
}

func (h *Handler) userPage(c *fiber.Ctx) error {
	if _, err := manage(c); err != nil {
		return err
	}
	u, err := h.Users.ByUsername(c.UserContext(), c.Params("username"))
	if err != nil {
		return err
	}
	return h.renderUser(c, u, "")
}

func (h *Handler) updateUserForm(c *fiber.Ctx) error {
	by, err := manage(c)
	if err != nil {
		return err
	}
	cur, err := h.Users.ByUsername(c.UserContext(), c.Params("username"))
	if err != nil {
		return err
	}
	name, nip, role, code := c.FormValue("name"), c.FormValue("nip"), account.Role(c.FormValue("role")), c.FormValue("unit")
	disabled := c.FormValue("active") != "ya"
	p := account.UserPatch{Name: &name, NIP: &nip, Role: &role, Unit: &code, Disabled: &disabled}
	if _, err := h.updateUser(c.UserContext(), by, cur.Username, p); err != nil {
		typed := *cur
		typed.Name, typed.NIP, typed.Role, typed.Unit, typed.Disabled = name, nip, role, code, disabled
		return formError(c, err, func(msg string) error { return h.renderUser(c, &typed, msg) })
	}
	return c.Redirect("/admin/pengguna/"+cur.Username+"?tersimpan=1", fiber.StatusSeeOther)
}

func (h *Handler) resetPasswordForm(c *fiber.Ctx) error {
	by, err := manage(c)
	if err != nil {
		return err
	}
	pw, err := h.resetPassword(c.UserContext(), by, c.Params("username"))
	if err != nil {
		return err
	}
	u, err := h.Users.ByUsername(c.UserContext(), c.Params("username"))
	if err != nil {
		return err
	}
	return showPassword(c, u, pw, false)
}

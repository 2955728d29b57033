package admin

import (
	"context"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/unit"
	"github.com/rapor-rb/raporrb/app/web"
)

func (h *Handler) unitRoutes(r web.Router) {
	r.Get("/api/v1/units", account.SignedIn, h.apiUnits)
	r.Post("/api/v1/units", account.AdminsOnly, h.apiCreateUnit)
	r.Patch("/api/v1/units/:code", account.AdminsOnly, h.apiPatchUnit)
	r.Get("/admin/unit", account.AdminsOnly, h.unitsPage)
	r.Post("/admin/unit", account.AdminsOnly, h.createUnitForm)
	r.Get("/admin/unit/:code", account.AdminsOnly, h.unitPage)
	r.Post("/admin/unit/:code", account.AdminsOnly, h.updateUnitForm)
}

// newUnit is the body of POST /api/v1/units; active defaults to true.
type newUnit struct {
	Code     string    `json:"code"`
	Name     string    `json:"name"`
	Kind     unit.Kind `json:"kind"`
	Parent   string    `json:"parent"`
	Active   *bool     `json:"active"`
	TimeZone string    `json:"time_zone"`
}

func (n newUnit) unit() unit.Unit {
	u := unit.Unit{Code: strings.TrimSpace(n.Code), Name: n.Name, Kind: n.Kind, Parent: n.Parent, Active: true, TimeZone: n.TimeZone}
	if n.Active != nil {
		u.Active = *n.Active
	}
	return u
}

// createUnit adds u, audited.
func (h *Handler) createUnit(ctx context.Context, by *account.User, u unit.Unit) error {
	kec := ""
	if u.Kind == unit.Kecamatan {
		kec = u.Code
	}
	detail := fmt.Sprintf("%s %q di bawah %s", u.Kind.Label(), u.Name, u.Parent)
	if u.Parent == "" {
		detail = fmt.Sprintf("unit teratas %q, zona %s", u.Name, u.TimeZone)
	}
	return h.Units.Create(ctx, u, h.record(h.event(by, audit.UnitCreate, u.Code, kec, detail)))
}

// updateUnit applies p, audited; the ranking boards that show the unit's name and parent
// follow in the same write.
func (h *Handler) updateUnit(ctx context.Context, by *account.User, code string, p unit.Patch) (*unit.Unit, error) {
	return h.Units.Update(ctx, code, p, func(ctx context.Context, before, after unit.Unit) error {
		var changes []string
		if before.Name != after.Name {
			changes = append(changes, fmt.Sprintf("nama %q → %q", before.Name, after.Name))
		}
		if before.Parent != after.Parent {
			changes = append(changes, fmt.Sprintf("induk %s → %s", before.Parent, after.Parent))
		}
		if before.Active != after.Active {
			changes = append(changes, map[bool]string{true: "diaktifkan", false: "dinonaktifkan"}[after.Active])
		}
		if before.TimeZone != after.TimeZone {
			changes = append(changes, fmt.Sprintf("zona waktu %s → %s", before.TimeZone, after.TimeZone))
		}
		if len(changes) == 0 {
			return nil
		}
		if before.Name != after.Name || before.Parent != after.Parent {
			as, err := h.Assessments.List(ctx, assessment.Filter{Unit: code})
			if err != nil {
				return err
			}
			for _, a := range as {
				if err := h.Board.Record(ctx, a.ID); err != nil {
					return err
				}
			}
		}
		kec := ""
		if after.Kind == unit.Kecamatan {
			kec = code
		}
		return h.Audit.Append(ctx, h.event(by, audit.UnitUpdate, code, kec, strings.Join(changes, "; ")))
	})
}

func (h *Handler) apiUnits(c *fiber.Ctx) error {
	us, err := h.Units.List(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"units": us})
}

func (h *Handler) apiCreateUnit(c *fiber.Ctx) error {
	by, err := manage(c)
	if err != nil {
		return err
	}
	var req newUnit
	if err := decode(c, &req, `{"code", "name", "kind", "parent", "active", "time_zone"}`); err != nil {
		return err
	}
	u := req.unit()
	if err := h.createUnit(c.UserContext(), by, u); err != nil {
		return err
	}
	got, err := h.Units.ByCode(c.UserContext(), u.Code)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(got)
}

func (h *Handler) apiPatchUnit(c *fiber.Ctx) error {
	by, err := manage(c)
	if err != nil {
		return err
	}
	var p unit.Patch
	if err := decode(c, &p, `{"name", "parent", "active", "time_zone"}`); err != nil {
		return err
	}
	u, err := h.updateUnit(c.UserContext(), by, c.Params("code"), p)
	if err != nil {
		return err
	}
	return c.JSON(u)
}

// treeRow is a unit shown in the tree, indented by its depth.
type treeRow struct {
	unit.Unit
	Depth      int
	ParentName string
}

// Zone is the root's time zone as people read it ("WITA (UTC+8)").
func (r treeRow) Zone() string { return unit.ZoneLabel(r.TimeZone) }

// Indented is the unit's name indented by its depth, for a select list (no-break spaces: an
// option collapses ordinary ones).
func (r treeRow) Indented() string { return strings.Repeat("\u00a0\u00a0", r.Depth) + r.Name }

// parentChoices is rows without code and the units under it: the parents a unit can move to
// (any of those would make a cycle).
func parentChoices(rows []treeRow, code string) []treeRow {
	var out []treeRow
	skip := -1 // the depth of code while its subtree is being skipped
	for _, r := range rows {
		if skip >= 0 && r.Depth > skip {
			continue
		}
		skip = -1
		if r.Code == code {
			skip = r.Depth
			continue
		}
		out = append(out, r)
	}
	return out
}

// tree orders units as a tree: each parent followed by its children, by name.
func tree(us []unit.Unit) []treeRow {
	children := map[string][]unit.Unit{}
	names := map[string]string{}
	for _, u := range us {
		children[u.Parent] = append(children[u.Parent], u)
		names[u.Code] = u.Name
	}
	var out []treeRow
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		for _, u := range children[parent] {
			out = append(out, treeRow{Unit: u, Depth: depth, ParentName: names[u.Parent]})
			walk(u.Code, depth+1)
		}
	}
	walk("", 0)
	return out
}

func (h *Handler) renderUnits(c *fiber.Ctx, typed newUnit, msg string) error {
	us, err := h.Units.List(c.UserContext())
	if err != nil {
		return err
	}
	return web.Render(c, "admin/units", "Unit kerja", fiber.Map{"Tree": tree(us), "Kinds": unit.Kinds,
		"Zones": unit.TimeZones, "Typed": typed, "Galat": msg, "Saved": c.Query("tersimpan")})
}

func (h *Handler) unitsPage(c *fiber.Ctx) error {
	if _, err := manage(c); err != nil {
		return err
	}
	typed := newUnit{Kind: unit.Kecamatan}
	if root, err := h.Units.Root(c.UserContext()); err == nil {
		typed.Parent = root.Code // new units usually go under the kabupaten
	}
	return h.renderUnits(c, typed, "")
}

func (h *Handler) createUnitForm(c *fiber.Ctx) error {
	by, err := manage(c)
	if err != nil {
		return err
	}
	typed := newUnit{Code: c.FormValue("code"), Name: c.FormValue("name"), Kind: unit.Kind(c.FormValue("kind")), Parent: c.FormValue("parent")}
	if err := h.createUnit(c.UserContext(), by, typed.unit()); err != nil {
		return formError(c, err, func(msg string) error { return h.renderUnits(c, typed, msg) })
	}
	return c.Redirect("/admin/unit?tersimpan="+typed.Code, fiber.StatusSeeOther)
}

func (h *Handler) renderUnit(c *fiber.Ctx, u *unit.Unit, msg string) error {
	us, err := h.Units.List(c.UserContext())
	if err != nil {
		return err
	}
	n, err := h.Assessments.List(c.UserContext(), assessment.Filter{Unit: u.Code})
	if err != nil {
		return err
	}
	return web.Render(c, "admin/unit", u.Name, fiber.Map{"U": u, "Parents": parentChoices(tree(us), u.Code), "Zones": unit.TimeZones,
		"Assessments": len(n), "Galat": msg})
}

func (h *Handler) unitPage(c *fiber.Ctx) error {
	if _, err := manage(c); err != nil {
		return err
	}
	u, err := h.Units.ByCode(c.UserContext(), c.Params("code"))
	if err != nil {
		return err
	}
	return h.renderUnit(c, u, "")
}

func (h *Handler) updateUnitForm(c *fiber.Ctx) error {
	by, err := manage(c)
	if err != nil {
		return err
	}
	cur, err := h.Units.ByCode(c.UserContext(), c.Params("code"))
	if err != nil {
		return err
	}
	name, active := c.FormValue("name"), c.FormValue("active") == "ya"
	p := unit.Patch{Name: &name, Active: &active}
	if cur.Parent != "" {
		parent := c.FormValue("parent")
		p.Parent = &parent
	} else {
		zone := c.FormValue("time_zone")
		p.TimeZone = &zone
	}
	if _, err := h.updateUnit(c.UserContext(), by, cur.Code, p); err != nil {
		typed := *cur
		typed.Name, typed.Active = name, active
		if p.Parent != nil {
			typed.Parent = *p.Parent
		}
		if p.TimeZone != nil {
			typed.TimeZone = *p.TimeZone
		}
		return formError(c, err, func(msg string) error { return h.renderUnit(c, &typed, msg) })
	}
	return c.Redirect("/admin/unit?tersimpan="+cur.Code, fiber.StatusSeeOther)
}

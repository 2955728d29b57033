package dashboard

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/ranking"
	"github.com/rapor-rb/raporrb/app/web"
)

func (h *Handler) weightsForm(c *fiber.Ctx) error {
	if err := account.Decide(web.CurrentUser(c), account.Manage, account.Object{}); err != nil {
		return err
	}
	w, err := h.Settings.Weights(c.UserContext())
	if err != nil {
		return err
	}
	return h.renderWeights(c, w, nil, "", fiber.StatusOK)
}

// renderWeights shows the form with values (the stored ones, or what was just typed after an
// error) and a message.
func (h *Handler) renderWeights(c *fiber.Ctx, w ranking.Weights, typed map[string]string, msg string, status int) error {
	type field struct {
		ID, Title, Value string
	}
	var fields []field
	for _, in := range h.Catalog.List() {
		v, ok := typed[in.ID]
		if !ok {
			v = strconv.FormatFloat(w.Of(in.ID), 'f', -1, 64)
		}
		fields = append(fields, field{ID: in.ID, Title: in.Title, Value: v})
	}
	data := fiber.Map{"Fields": fields, "Rev": w.Rev, "Saved": c.Query("tersimpan") != "", "W": w}
	if msg != "" {
		data["Error"] = msg
	}
	c.Status(status)
	return web.Render(c, "dashboard/weights", "Bobot indeks komposit", data)
}

func (h *Handler) saveWeights(c *fiber.Ctx) error {
	u := web.CurrentUser(c)
	if err := account.Decide(u, account.Manage, account.Object{}); err != nil {
		return err
	}
	cur, err := h.Settings.Weights(c.UserContext())
	if err != nil {
		return err
	}
	typed := map[string]string{}
	var ws []ranking.Weight
	for _, in := range h.Catalog.List() {
		s := strings.TrimSpace(c.FormValue("w_" + in.ID))
		typed[in.ID] = s
		x, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
		if err != nil {
			return h.renderWeights(c, cur, typed, "Bobot "+in.Title+" harus berupa angka, misalnya 1 atau 0,5.", fiber.StatusBadRequest)
		}
		ws = append(ws, ranking.Weight{Instrument: in.ID, Weight: x})
	}
	rev, err := strconv.ParseInt(c.FormValue("rev"), 10, 64)
	if err != nil {
		return apperr.New(apperr.Invalid, "Formulir tidak lengkap; muat ulang halaman.")
	}
	if _, err := h.Settings.SetWeights(c.UserContext(), h.Catalog, ws, rev, u.Username, h.Now()); err != nil {
		switch {
		case apperr.Is(err, apperr.Invalid):
			return h.renderWeights(c, cur, typed, apperr.Message(err), fiber.StatusBadRequest)
		case apperr.Is(err, apperr.Conflict):
			return h.renderWeights(c, cur, typed, apperr.Message(err), fiber.StatusConflict)
		}
		return err
	}
	return c.Redirect("/admin/bobot-komposit?tersimpan=1", fiber.StatusSeeOther)
}

package review

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/web"
)

// formReview reads the review form; the typed values come back in a Review so that a
// failed save shows them again.
func formReview(c *fiber.Ctx, inst *instrument.Instrument, code string, u *account.User) (Input, *assessment.Review, error) {
	tried := &assessment.Review{Comment: c.FormValue("komentar"), By: u.Username}
	raw := strings.TrimSpace(c.FormValue("nilai"))
	v, verr := ParseVerdict(c.FormValue("verdict"))
	tried.Verdict = v
	if inst.ScaleOf(code).Kind == instrument.KindChoice {
		tried.Option = raw
	} else if raw != "" {
		if f, err := strconv.ParseFloat(strings.Replace(raw, ",", ".", 1), 64); err == nil {
			tried.Value = &f
		} else {
			return Input{}, tried, apperr.New(apperr.Invalid, "Nilai evaluator indikator %s harus berupa angka, bukan %q.", code, raw)
		}
	}
	if verr != nil {
		return Input{}, tried, apperr.New(apperr.Invalid, "Pilih %s atau %s untuk indikator %s.", Sesuai, Dikembalikan, code)
	}
	rev, err := strconv.ParseInt(c.FormValue("rev"), 10, 64)
	if err != nil {
		return Input{}, tried, apperr.New(apperr.Invalid, "Formulir indikator %s tidak lengkap (rev). Muat ulang halaman.", code)
	}
	var answer any
	if tried.Option != "" {
		answer = tried.Option
	} else if tried.Value != nil {
		answer = *tried.Value
	}
	in, err := ParseInput(inst, code, answer, tried.Comment, string(v), &rev)
	return in, tried, err
}

func (h *Handler) saveForm(c *fiber.Ctx) error {
	a, inst, err := h.Loader.Load(c, account.Review)
	if err != nil {
		return err
	}
	u := web.CurrentUser(c)
	code := c.Params("indicator")
	in, tried, err := formReview(c, inst, code, u)
	if err == nil {
		_, _, err = h.Service.Save(c.UserContext(), u, a.ID, in)
	}
	return h.cardReply(c, a, inst, code, tried, err)
}

func (h *Handler) approveForm(c *fiber.Ctx) error {
	a, inst, err := h.Loader.Load(c, account.Review)
	if err != nil {
		return err
	}
	code := c.Params("indicator")
	rev, err := strconv.ParseInt(c.FormValue("rev"), 10, 64)
	if err != nil {
		err = apperr.New(apperr.Invalid, "Formulir indikator %s tidak lengkap (rev). Muat ulang halaman.", code)
	} else {
		_, _, err = h.Service.Approve(c.UserContext(), web.CurrentUser(c), a.ID, code, rev)
	}
	return h.cardReply(c, a, inst, code, nil, err)
}

// cardReply answers a card's form: with htmx the card and the score panel; without, a
// redirect back to the card, or the whole page with the card's error and typed values.
func (h *Handler) cardReply(c *fiber.Ctx, a *assessment.Assessment, inst *instrument.Instrument, code string, tried *assessment.Review, err error) error {
	u := web.CurrentUser(c)
	state := &Card{Indicator: instrument.Indicator{Code: code}, State: "tersimpan"}
	status := fiber.StatusOK
	switch {
	case err == nil:
	case apperr.Is(err, apperr.Conflict) && apperr.DetailOf(err) != nil:
		status, state.State, state.Error, state.Mine = fiber.StatusConflict, "konflik", assessment.CardMessage(err, code), tried
	case apperr.Is(err, apperr.Invalid), apperr.Is(err, apperr.Forbidden), apperr.Is(err, apperr.Conflict):
		status, state.State, state.Error, state.Mine = web.Status(err), "galat", assessment.CardMessage(err, code), tried
	default:
		return err
	}
	if c.Get("HX-Request") == "" && status == fiber.StatusOK {
		return c.Redirect(fmt.Sprintf("%s#ind-%s", base(a), code), fiber.StatusSeeOther)
	}
	fresh, err := h.Service.Assessments.Store.ByID(c.UserContext(), a.ID)
	if err != nil {
		return err
	}
	p, err := h.build(c.UserContext(), u, fresh, inst, "", state)
	if err != nil {
		return err
	}
	c.Status(status)
	if c.Get("HX-Request") != "" {
		for _, g := range p.Groups {
			for _, card := range g.Cards {
				if card.Code == code {
					return c.Render("review/saved", fiber.Map{"P": p, "C": card, "Base": base(fresh), "CSRF": c.Locals("csrf")})
				}
			}
		}
	}
	return h.render(c, p)
}

func (h *Handler) approveAllForm(c *fiber.Ctx) error {
	a, inst, err := h.Loader.Load(c, account.Review)
	if err != nil {
		return err
	}
	n, _, _, err := h.Service.ApprovePending(c.UserContext(), web.CurrentUser(c), a.ID)
	if err != nil {
		return h.actionError(c, a, inst, err)
	}
	return c.Redirect(fmt.Sprintf("%s?disetujui=%d", base(a), n), fiber.StatusSeeOther)
}

// actionError shows a refused page-level action (return, finalize, approve all) on the whole
// page, at the actions, with the status of the refusal.
func (h *Handler) actionError(c *fiber.Ctx, a *assessment.Assessment, inst *instrument.Instrument, err error) error {
	if !apperr.Is(err, apperr.Invalid) && !apperr.Is(err, apperr.Conflict) && !apperr.Is(err, apperr.Forbidden) {
		return err
	}
	fresh, ferr := h.Service.Assessments.Store.ByID(c.UserContext(), a.ID)
	if ferr != nil {
		return ferr
	}
	p, berr := h.build(c.UserContext(), web.CurrentUser(c), fresh, inst, "", nil)
	if berr != nil {
		return berr
	}
	p.ActionError = apperr.Message(err)
	if err != nil {
		c.Status(web.Status(err))
	}
	return h.render(c, p)
}

func (h *Handler) findingForm(c *fiber.Ctx) error {
	a, inst, err := h.Loader.Load(c, account.Review)
	if err != nil {
		return err
	}
	area := c.Params("area")
	in := FindingInput{Area: area, Kondisi: c.FormValue("kondisi"), Rekomendasi: c.FormValue("rekomendasi")}
	in.Rev, err = strconv.ParseInt(c.FormValue("rev"), 10, 64)
	if err != nil {
		err = apperr.New(apperr.Invalid, "Formulir temuan tidak lengkap (rev). Muat ulang halaman.")
	} else {
		_, err = h.Service.SaveFinding(c.UserContext(), web.CurrentUser(c), a.ID, in)
	}
	if err != nil && !apperr.Is(err, apperr.Invalid) && !apperr.Is(err, apperr.Conflict) && !apperr.Is(err, apperr.Forbidden) {
		return err
	}
	if err == nil && c.Get("HX-Request") == "" {
		return c.Redirect(fmt.Sprintf("%s?pesan=temuan#temuan-%s", base(a), area), fiber.StatusSeeOther)
	}
	p, berr := h.build(c.UserContext(), web.CurrentUser(c), a, inst, "", nil)
	if berr != nil {
		return berr
	}
	for i := range p.Findings {
		if p.Findings[i].Code != area {
			continue
		}
		if err == nil {
			p.Findings[i].Saved = true
		} else {
			// What was typed stays on the page; the stored rev stays, so a conflict is
			// resolved by saving again on purpose.
			// The message names the area by its code and the colleague by their login;
			// the form names the area in its heading, so "area ini" and the person's name.
			by := p.Findings[i].Finding.By
			msg := strings.Replace(apperr.Message(err), "area "+area+" ", "area ini ", 1)
			p.Findings[i].Error = assessment.NamedIn(msg, by, p.Name(by))
			p.Findings[i].Finding.Kondisi, p.Findings[i].Finding.Rekomendasi = in.Kondisi, in.Rekomendasi
		}
		if c.Get("HX-Request") != "" {
			if err != nil {
				c.Status(web.Status(err))
			}
			return c.Render("review/finding", fiber.Map{"F": p.Findings[i], "Base": base(a), "CSRF": c.Locals("csrf"), "CanReview": p.CanReview, "P": p})
		}
	}
	c.Status(web.Status(err))
	return h.render(c, p)
}

func (h *Handler) returnForm(c *fiber.Ctx) error {
	a, inst, err := h.Loader.Load(c, account.Return)
	if err != nil {
		return err
	}
	if _, _, err := h.Service.Return(c.UserContext(), web.CurrentUser(c), a.ID); err != nil {
		return h.actionError(c, a, inst, err)
	}
	return c.Redirect(base(a)+"?pesan=dikembalikan", fiber.StatusSeeOther)
}

func (h *Handler) finalizeForm(c *fiber.Ctx) error {
	a, inst, err := h.Loader.Load(c, account.Finalize)
	if err != nil {
		return err
	}
	if _, err := h.Service.Finalize(c.UserContext(), web.CurrentUser(c), a.ID); err != nil {
		return h.actionError(c, a, inst, err)
	}
	return c.Redirect(base(a)+"?pesan=final", fiber.StatusSeeOther)
}

// reopenPage asks the admin for the reason to reopen a final sheet.
func (h *Handler) reopenPage(c *fiber.Ctx) error {
	a, inst, err := h.Loader.Load(c, account.Reopen)
	if err != nil {
		return err
	}
	return h.renderReopen(c, a, inst, "", "")
}

func (h *Handler) renderReopen(c *fiber.Ctx, a *assessment.Assessment, inst *instrument.Instrument, reason, problem string) error {
	un, err := h.Units.ByCode(c.UserContext(), a.Unit)
	if err != nil {
		return err
	}
	return web.Render(c, "review/reopen", "Buka kembali penilaian final", fiber.Map{"A": a, "Inst": inst, "UnitName": un.Name,
		"Alasan": reason, "Galat": problem, "Sheet": fmt.Sprintf("/penilaian/%d/%s/%s", a.Period, a.Instrument, a.Unit)})
}

func (h *Handler) reopenForm(c *fiber.Ctx) error {
	a, inst, err := h.Loader.Load(c, account.Reopen)
	if err != nil {
		return err
	}
	reason := c.FormValue("alasan")
	if _, err := h.Service.Reopen(c.UserContext(), web.CurrentUser(c), a.ID, reason); err != nil {
		if !apperr.Is(err, apperr.Invalid) && !apperr.Is(err, apperr.Conflict) {
			return err
		}
		c.Status(web.Status(err))
		return h.renderReopen(c, a, inst, reason, apperr.Message(err))
	}
	return c.Redirect(fmt.Sprintf("/penilaian/%d/%s/%s?pesan=dibuka", a.Period, a.Instrument, a.Unit), fiber.StatusSeeOther)
}

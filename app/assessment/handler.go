package assessment

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/scoring"
	"github.com/rapor-rb/raporrb/app/unit"
	"github.com/rapor-rb/raporrb/app/web"
)

// Units looks units up.
type Units interface {
	ByCode(ctx context.Context, code string) (*unit.Unit, error)
}

// Handler serves assessments over the JSON API.
type Handler struct {
	Store   *Store
	Catalog *instrument.Catalog
	Units   Units
	Access  Access
	Service *Service
	// UploadMax is the largest evidence file in bytes (UPLOAD_MAX_MB).
	UploadMax int64
	// Users names the people of the page's history and conflicts; nil shows usernames.
	Users Users
}

// Users finds a user by username.
type Users interface {
	ByUsername(ctx context.Context, username string) (*account.User, error)
}

// Routes registers the read side of the assessment API.
func (h *Handler) Routes(r web.Router) {
	api := r.Group("/api/v1/assessments")
	api.Get("", account.SignedIn, h.list)
	api.Get("/:year/:instrument/:unit", account.SignedIn, h.get)
	api.Put("/:year/:instrument/:unit/answers/:indicator", account.UnitMembers, h.putAnswer)
	api.Get("/:year/:instrument/:unit/answers/:indicator/history", account.SignedIn, h.history)
	api.Post("/:year/:instrument/:unit/submit", account.UnitMembers, h.submit)
}

// answerRequest is the body of PUT …/answers/{indicator}.
type answerRequest struct {
	Answer any    `json:"answer"`
	Note   string `json:"note"`
	Rev    *int64 `json:"rev"`
}

// ParseAnswerInput turns a decoded body into an AnswerInput; errors are Invalid and name the field.
func ParseAnswerInput(inst *instrument.Instrument, indicator string, raw any, note string, rev *int64) (AnswerInput, error) {
	if _, ok := inst.Indicator(indicator); !ok {
		return AnswerInput{}, apperr.New(apperr.Invalid, "Indikator %q tidak ada pada instrumen %s.", indicator, inst.ID)
	}
	if rev == nil {
		return AnswerInput{}, apperr.New(apperr.Invalid, "Kolom rev wajib diisi (0 untuk indikator yang belum pernah dijawab).")
	}
	if raw == nil {
		return AnswerInput{}, apperr.New(apperr.Invalid, "Kolom answer wajib diisi untuk indikator %s.", indicator)
	}
	a, err := scoring.ParseAnswer(inst, indicator, raw)
	if err != nil {
		return AnswerInput{}, err
	}
	return AnswerInput{Indicator: indicator, Answer: a, Note: note, Rev: *rev}, nil
}

func (h *Handler) putAnswer(c *fiber.Ctx) error {
	a, inst, err := h.Load(c, account.Answer)
	if err != nil {
		return err
	}
	var req answerRequest
	if err := json.Unmarshal(c.Body(), &req); err != nil {
		return apperr.New(apperr.Invalid, "Badan permintaan harus JSON {\"answer\", \"note\", \"rev\"}.")
	}
	in, err := ParseAnswerInput(inst, c.Params("indicator"), req.Answer, req.Note, req.Rev)
	if err != nil {
		return err
	}
	ans, updated, err := h.Service.SaveAnswer(c.UserContext(), web.CurrentUser(c), a.ID, in)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"answer": ans, "self": updated.Self, "progress": updated.Progress})
}

func (h *Handler) history(c *fiber.Ctx) error {
	a, _, err := h.Load(c, account.Read)
	if err != nil {
		return err
	}
	vs, next, err := h.versions(c, a)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"versions": vs, "next_before": next})
}

// versions reads a page of an indicator's history: ?before= (a rev; default the newest) and
// ?limit= (default 10, at most MaxHistoryPage). next is the before of the next page, 0 at the
// oldest. Errors: NotFound for an indicator not in the instrument, Invalid for bad numbers.
func (h *Handler) versions(c *fiber.Ctx, a *Assessment) (vs []Version, next int64, err error) {
	inst, _ := h.Catalog.Get(a.Instrument)
	code := c.Params("indicator")
	if _, ok := inst.Indicator(code); !ok {
		return nil, 0, apperr.New(apperr.NotFound, "Indikator %q tidak ada pada instrumen %s.", code, inst.ID)
	}
	before, limit := int64(0), 10
	if q := cmpOr(c.Query("before"), c.Query("sebelum")); q != "" {
		if before, err = strconv.ParseInt(q, 10, 64); err != nil || before < 1 {
			return nil, 0, apperr.New(apperr.Invalid, "Kolom before harus nomor rev (1 atau lebih).")
		}
	}
	if q := c.Query("limit"); q != "" {
		if limit, err = strconv.Atoi(q); err != nil || limit < 1 || limit > MaxHistoryPage {
			return nil, 0, apperr.New(apperr.Invalid, "Kolom limit harus antara 1 dan %d.", MaxHistoryPage)
		}
	}
	sh, err := h.Store.Sheet(c.UserContext(), a.ID)
	if err != nil {
		return nil, 0, err
	}
	cur := Answer{Indicator: code}
	if ans := sh.Answer(code); ans != nil {
		cur = *ans
	}
	if vs, err = h.Store.History(c.UserContext(), a.ID, cur, before, limit); err != nil {
		return nil, 0, err
	}
	if n := len(vs); n > 0 && vs[n-1].Rev > 1 {
		next = vs[n-1].Rev
	}
	return vs, next, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (h *Handler) submit(c *fiber.Ctx) error {
	a, inst, err := h.Load(c, account.Submit)
	if err != nil {
		return err
	}
	var req struct {
		Confirm bool `json:"confirm"`
	}
	if len(c.Body()) > 0 {
		if err := json.Unmarshal(c.Body(), &req); err != nil {
			return apperr.New(apperr.Invalid, "Badan permintaan harus JSON {\"confirm\": true} atau kosong.")
		}
	}
	updated, err := h.Service.Submit(c.UserContext(), web.CurrentUser(c), a.ID, req.Confirm)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"status": updated.Status, "rev": updated.Rev, "submitted_at": updated.SubmittedAt,
		"unanswered": updated.Progress.Total - updated.Progress.Answered, "total": len(inst.Indicators())})
}

func (h *Handler) list(c *fiber.Ctx) error {
	f := Filter{Instrument: c.Query("instrument"), Unit: c.Query("unit")}
	if p := c.Query("period"); p != "" {
		y, err := period.ParseYear(p)
		if err != nil {
			return err
		}
		f.Period = y
	}
	if f.Instrument != "" {
		if _, ok := h.Catalog.Get(f.Instrument); !ok {
			return apperr.New(apperr.NotFound, "Instrumen %q tidak dikenal.", f.Instrument)
		}
	}
	as, err := h.Store.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	as, err = h.Access.Visible(c.UserContext(), web.CurrentUser(c), as)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"assessments": as})
}

// Load resolves (year, instrument, unit) to an assessment the user may act on: 404 for an
// unknown instrument, unit or assessment, 403 when the policy says no.
func (h *Handler) Load(c *fiber.Ctx, act account.Action) (*Assessment, *instrument.Instrument, error) {
	year, err := period.ParseYear(c.Params("year"))
	if err != nil {
		return nil, nil, err
	}
	inst, ok := h.Catalog.Get(c.Params("instrument"))
	if !ok {
		return nil, nil, apperr.New(apperr.NotFound, "Instrumen %q tidak dikenal.", c.Params("instrument"))
	}
	if _, err := h.Units.ByCode(c.UserContext(), c.Params("unit")); err != nil {
		return nil, nil, err
	}
	a, err := h.Store.ByID(c.UserContext(), ID(year, inst.ID, c.Params("unit")))
	if err != nil {
		return nil, nil, err
	}
	if err := h.Access.Decide(c.UserContext(), web.CurrentUser(c), act, a); err != nil {
		return nil, nil, err
	}
	return a, inst, nil
}

func (h *Handler) get(c *fiber.Ctx) error {
	a, _, err := h.Load(c, account.Read)
	if err != nil {
		return err
	}
	sh, err := h.Store.Sheet(c.UserContext(), a.ID)
	if err != nil {
		return err
	}
	answers := sh.Answers
	if answers == nil {
		answers = []Answer{}
	}
	return c.JSON(struct {
		*Assessment
		SheetRev int64    `json:"sheet_rev"`
		Answers  []Answer `json:"answers"`
	}{a, sh.Rev, answers})
}

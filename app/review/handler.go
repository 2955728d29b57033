package review

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/scoring"
	"github.com/rapor-rb/raporrb/app/unit"
	"github.com/rapor-rb/raporrb/app/web"
)

// Loader resolves a URL's (year, instrument, unit) to an assessment the user may act on
// (assessment.Handler.Load).
type Loader interface {
	Load(c *fiber.Ctx, act account.Action) (*assessment.Assessment, *instrument.Instrument, error)
}

// Teams tells who reviews a unit.
type Teams interface {
	Team(ctx context.Context, year int, instrument, unit string) ([]account.Assignment, error)
}

// Users finds users (the evaluators' names).
type Users interface {
	ByUsername(ctx context.Context, username string) (*account.User, error)
}

// Units looks units up.
type Units interface {
	ByCode(ctx context.Context, code string) (*unit.Unit, error)
}

// Periods finds a period's schedule.
type Periods interface {
	ByYear(ctx context.Context, year int) (*period.Period, error)
}

// Handler serves the review API, the review page, the LHE and the reopening of a final sheet.
type Handler struct {
	Service *Service
	Loader  Loader
	Teams   Teams
	Users   Users
	Units   Units
	Periods Periods
	Now     func() time.Time
	// Zone is the kabupaten's time zone, in which deadlines are whole days (nil: WIB).
	Zone func(context.Context) *time.Location
}

func (h *Handler) zone(ctx context.Context) *time.Location {
	if h.Zone == nil {
		return time.FixedZone("WIB", 7*3600)
	}
	return h.Zone(ctx)
}

// Routes registers the review API: the same service as the pages.
func (h *Handler) Routes(r web.Router) {
	api := r.Group("/api/v1/assessments/:year/:instrument/:unit")
	api.Put("/reviews/:indicator", account.Reviewers, h.putReview)
	api.Post("/reviews/:indicator/approve", account.Reviewers, h.approve)
	api.Post("/reviews/approve-pending", account.Reviewers, h.approvePending)
	api.Put("/findings/:area", account.Reviewers, h.putFinding)
	api.Post("/return", account.Reviewers, h.returnItems)
	api.Post("/finalize", account.Reviewers, h.finalize)
	api.Post("/reopen", account.AdminsOnly, h.reopen)
	api.Get("/review", account.SignedIn, h.getReview)
}

// decode reads a JSON body into v; errors are Invalid and show the expected shape.
func decode(c *fiber.Ctx, v any, shape string) error {
	if err := json.Unmarshal(c.Body(), v); err != nil {
		return apperr.New(apperr.Invalid, "Badan permintaan harus JSON %s.", shape)
	}
	return nil
}

// reviewRequest is the body of PUT …/reviews/{indicator}.
type reviewRequest struct {
	Answer  any    `json:"answer"`
	Comment string `json:"comment"`
	Verdict string `json:"verdict"`
	Rev     *int64 `json:"rev"`
}

// ParseInput turns a decoded review into an Input; errors are Invalid and name the field.
func ParseInput(inst *instrument.Instrument, indicator string, raw any, comment, verdict string, rev *int64) (Input, error) {
	if _, ok := inst.Indicator(indicator); !ok {
		return Input{}, apperr.InField("indicator", "Indikator %q tidak ada pada lembar kerja %s.", indicator, inst.Title)
	}
	v, err := ParseVerdict(verdict)
	if err != nil {
		return Input{}, err
	}
	if rev == nil {
		return Input{}, apperr.InField("rev", "Nomor versi reviu (rev) wajib dikirim: 0 untuk indikator yang belum pernah direviu.")
	}
	in := Input{Indicator: indicator, Comment: comment, Verdict: v, Rev: *rev}
	if raw != nil {
		a, err := scoring.ParseAnswer(inst, indicator, raw)
		if err != nil {
			return Input{}, apperr.InField("answer", "Nilai evaluator tidak sah. %s", apperr.Message(err))
		}
		in.Answer = &a
	}
	return in, in.Validate(inst)
}

func (h *Handler) putReview(c *fiber.Ctx) error {
	a, inst, err := h.Loader.Load(c, account.Review)
	if err != nil {
		return err
	}
	var req reviewRequest
	if err := decode(c, &req, `{"answer", "comment", "verdict", "rev"}`); err != nil {
		return err
	}
	in, err := ParseInput(inst, c.Params("indicator"), req.Answer, req.Comment, req.Verdict, req.Rev)
	if err != nil {
		return err
	}
	ans, updated, err := h.Service.Save(c.UserContext(), web.CurrentUser(c), a.ID, in)
	if err != nil {
		return err
	}
	return h.answerReply(c, updated, inst, ans)
}

func (h *Handler) approve(c *fiber.Ctx) error {
	a, inst, err := h.Loader.Load(c, account.Review)
	if err != nil {
		return err
	}
	var req struct {
		Rev *int64 `json:"rev"`
	}
	if err := decode(c, &req, `{"rev"}`); err != nil {
		return err
	}
	if req.Rev == nil {
		return apperr.InField("rev", "Nomor versi reviu (rev) wajib dikirim: 0 untuk indikator yang belum pernah direviu.")
	}
	ans, updated, err := h.Service.Approve(c.UserContext(), web.CurrentUser(c), a.ID, c.Params("indicator"), *req.Rev)
	if err != nil {
		return err
	}
	return h.answerReply(c, updated, inst, ans)
}

// answerReply is the answer after a review write, with the evaluators' running score.
func (h *Handler) answerReply(c *fiber.Ctx, a *assessment.Assessment, inst *instrument.Instrument, ans *assessment.Answer) error {
	run, err := h.running(c.UserContext(), a, inst)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"answer": ans, "status": a.Status, "progress": a.Progress, "review": run})
}

func (h *Handler) approvePending(c *fiber.Ctx) error {
	a, inst, err := h.Loader.Load(c, account.Review)
	if err != nil {
		return err
	}
	n, skipped, updated, err := h.Service.ApprovePending(c.UserContext(), web.CurrentUser(c), a.ID)
	if err != nil {
		return err
	}
	run, err := h.running(c.UserContext(), updated, inst)
	if err != nil {
		return err
	}
	if skipped == nil {
		skipped = []string{}
	}
	return c.JSON(fiber.Map{"approved": n, "unanswered": skipped, "status": updated.Status, "progress": updated.Progress, "review": run})
}

func (h *Handler) putFinding(c *fiber.Ctx) error {
	a, _, err := h.Loader.Load(c, account.Review)
	if err != nil {
		return err
	}
	var req struct {
		Kondisi     string `json:"kondisi"`
		Rekomendasi string `json:"rekomendasi"`
		Rev         *int64 `json:"rev"`
	}
	if err := decode(c, &req, `{"kondisi", "rekomendasi", "rev"}`); err != nil {
		return err
	}
	if req.Rev == nil {
		return apperr.InField("rev", "Nomor versi temuan (rev) wajib dikirim: 0 untuk temuan baru.")
	}
	f, err := h.Service.SaveFinding(c.UserContext(), web.CurrentUser(c), a.ID,
		FindingInput{Area: c.Params("area"), Kondisi: req.Kondisi, Rekomendasi: req.Rekomendasi, Rev: *req.Rev})
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"finding": f})
}

func (h *Handler) returnItems(c *fiber.Ctx) error {
	a, _, err := h.Loader.Load(c, account.Return)
	if err != nil {
		return err
	}
	items, updated, err := h.Service.Return(c.UserContext(), web.CurrentUser(c), a.ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"status": updated.Status, "rev": updated.Rev, "returned": items, "returned_at": updated.ReturnedAt, "round": updated.Returns})
}

func (h *Handler) finalize(c *fiber.Ctx) error {
	a, _, err := h.Loader.Load(c, account.Finalize)
	if err != nil {
		return err
	}
	updated, err := h.Service.Finalize(c.UserContext(), web.CurrentUser(c), a.ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"status": updated.Status, "rev": updated.Rev, "final": updated.Final, "finalized_at": updated.FinalizedAt, "finalized_by": updated.FinalizedBy})
}

func (h *Handler) reopen(c *fiber.Ctx) error {
	a, _, err := h.Loader.Load(c, account.Reopen)
	if err != nil {
		return err
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decode(c, &req, `{"reason"}`); err != nil {
		return err
	}
	updated, err := h.Service.Reopen(c.UserContext(), web.CurrentUser(c), a.ID, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"status": updated.Status, "rev": updated.Rev})
}

// getReview is the review state of a sheet: the evaluators' running score, the findings and
// what still blocks the finalization.
func (h *Handler) getReview(c *fiber.Ctx) error {
	a, inst, err := h.Loader.Load(c, account.Read)
	if err != nil {
		return err
	}
	run, err := h.running(c.UserContext(), a, inst)
	if err != nil {
		return err
	}
	sh, err := h.Service.Assessments.Store.Sheet(c.UserContext(), a.ID)
	if err != nil {
		return err
	}
	findings := sh.Findings
	if findings == nil {
		findings = []assessment.Finding{}
	}
	return c.JSON(fiber.Map{"status": a.Status, "review": run, "findings": findings})
}

// Running is the evaluators' score while the review is under way. Items not yet reviewed take
// the unit's own answer (so the difference from the self score is what the evaluators have
// changed so far), and the figure says how many there are: it is never shown as final.
type Running struct {
	Total      float64            `json:"total"`
	Grade      *string            `json:"grade"`
	Predicates map[string]bool    `json:"predicates"`
	Nodes      map[string]float64 `json:"nodes"`
	Reviewed   int                `json:"reviewed"`
	Indicators int                `json:"indicators"`
	// NeedFindings lists the areas whose findings the finalization requires, on these scores.
	NeedFindings []string `json:"need_findings"`
}

// RunningScore computes Running from a sheet.
func RunningScore(inst *instrument.Instrument, sh *assessment.Sheet, prev scoring.Previous) (Running, scoring.Result, error) {
	answers := sh.SelfAnswers()
	reviewed := 0
	for code, ra := range sh.ReviewAnswers() {
		answers[code] = ra
	}
	for _, a := range sh.Answers {
		if a.Review != nil {
			if _, ok := inst.Indicator(a.Indicator); ok {
				reviewed++
			}
		}
	}
	res, err := scoring.Score(inst, answers, prev)
	if err != nil {
		return Running{}, res, err
	}
	need := NeedFindings(inst, res, prev)
	return Running{Total: res.Total, Grade: res.Grade, Predicates: res.Predicates, Nodes: res.Nodes, Reviewed: reviewed,
		Indicators: inst.NumIndicators(), NeedFindings: need}, res, nil
}

func (h *Handler) running(ctx context.Context, a *assessment.Assessment, inst *instrument.Instrument) (Running, error) {
	sh, err := h.Service.Assessments.Store.Sheet(ctx, a.ID)
	if err != nil {
		return Running{}, err
	}
	prev, err := h.Service.Assessments.Store.Previous(ctx, a)
	if err != nil {
		return Running{}, err
	}
	run, _, err := RunningScore(inst, sh, prev)
	return run, err
}

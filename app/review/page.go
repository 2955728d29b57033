package review

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/num"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/scoring"
	"github.com/rapor-rb/raporrb/app/web"
)

// PageRoutes registers the review page and its forms, which work without JavaScript (a full
// page comes back) and, with htmx, swap only the indicator and the score panel.
func (h *Handler) PageRoutes(r web.Router) {
	g := r.Group("/reviu/:year/:instrument/:unit")
	g.Get("", account.SignedIn, h.page)
	g.Post("/indikator/:indicator", account.Reviewers, h.saveForm)
	g.Post("/setujui/:indicator", account.Reviewers, h.approveForm)
	g.Post("/setujui-semua", account.Reviewers, h.approveAllForm)
	g.Post("/temuan/:area", account.Reviewers, h.findingForm)
	g.Post("/kembalikan", account.Reviewers, h.returnForm)
	g.Post("/finalkan", account.Reviewers, h.finalizeForm)
	r.Get("/penilaian/:year/:instrument/:unit/buka-kembali", account.AdminsOnly, h.reopenPage)
	r.Post("/penilaian/:year/:instrument/:unit/buka-kembali", account.AdminsOnly, h.reopenForm)
}

// Card is one indicator on the review page.
type Card struct {
	instrument.Indicator
	Scale instrument.Scale
	// Choices are the answers with the LKE's criterion of each.
	Choices []instrument.Choice
	Answer  assessment.Answer
	// Shared lists, per file evidence id, the other units that uploaded the same bytes.
	Shared map[string][]string
	// Resubmitted is set for an item returned earlier and resubmitted since: the page shows
	// the answer at the return beside today's, and whether it changed.
	Resubmitted bool
	Editable    bool
	// Set after a save: "tersimpan", "galat" (with Error) or "konflik" (with Mine, what the
	// evaluator tried to save, beside Answer.Review, the current one).
	State string
	Error string
	Mine  *assessment.Review
}

// Chosen is the evaluator's value shown in the control: the review's, else empty.
func (c Card) Chosen() string {
	r := c.Answer.Review
	if c.Mine != nil {
		r = c.Mine
	}
	if r == nil {
		return ""
	}
	if r.Option != "" {
		return r.Option
	}
	if r.Value != nil {
		return num.ID(*r.Value) // a text input, with the decimal comma people type
	}
	return ""
}

// SelfChanged reports whether the unit's answer or note differ from those at the return (the
// evidence is compared apart).
func (c Card) SelfChanged() bool {
	at := c.Answer.AtReturn
	if at == nil {
		return false
	}
	was, is := at.Self, c.Answer.Self
	if was == nil || is == nil {
		return was != is
	}
	same := was.Option == is.Option && was.Note == is.Note &&
		((was.Value == nil && is.Value == nil) || (was.Value != nil && is.Value != nil && *was.Value == *is.Value))
	return !same
}

// Min and Max bound a numeric scale's input.
func (c Card) Min() float64 {
	if c.Scale.Kind == instrument.KindPercent || c.Scale.Min == nil {
		return 0
	}
	return *c.Scale.Min
}

// Max is the largest number a numeric scale takes.
func (c Card) Max() float64 {
	if c.Scale.Kind == instrument.KindPercent || c.Scale.Max == nil {
		return 100
	}
	return *c.Scale.Max
}

// Verdict is the verdict shown in the form (the attempted one after a failed save).
func (c Card) Verdict() string {
	r := c.Answer.Review
	if c.Mine != nil {
		r = c.Mine
	}
	if r == nil || r.Verdict == "" {
		return "" // nothing chosen: never pre-select one for the evaluator
	}
	return VerdictLabel(r.Verdict)
}

// Comment is the comment shown in the form.
func (c Card) Comment() string {
	if c.Mine != nil {
		return c.Mine.Comment
	}
	if c.Answer.Review != nil {
		return c.Answer.Review.Comment
	}
	return ""
}

// Group is one leaf area with its cards.
type Group struct {
	Code, Path string
	Cards      []Card
}

// AreaRow compares one area's self and evaluator scores.
type AreaRow struct {
	Code, Title          string
	Depth                int
	Self, Review, Points float64
}

// Diff is the evaluators' change of the area's score.
func (r AreaRow) Diff() float64 { return r.Review - r.Self }

// FindingRow is one area's findings form.
type FindingRow struct {
	Code, Title string
	Finding     assessment.Finding
	Required    bool
	Error       string
	Saved       bool
}

// Member is one evaluator of the team.
type Member struct {
	Username, Name string
	Lead           bool
}

// Page is everything the review page shows.
type Page struct {
	A            *assessment.Assessment
	Inst         *instrument.Instrument
	UnitName     string
	ReviewDue    period.Due
	Team         []Member
	Lead         bool
	CanReview    bool
	Reason       string
	Filter       string
	Groups       []Group
	Self, Review scoring.Result
	Running      Running
	Areas        []AreaRow
	Findings     []FindingRow
	Marked       []string // items marked dikembalikan
	Unreviewed   int
	Unanswered   int
	Changed      int // resubmitted items changed since returned
	Notice       string
	ActionError  string
	// ActionArea is the area a refused finalization needs findings for (a link to its form).
	ActionArea string
	// Names maps the usernames shown (the team, who answered) to people's names.
	Names map[string]string
}

// Name is a username as a person reads it.
func (p *Page) Name(username string) string {
	if n, ok := p.Names[username]; ok && n != "" {
		return n
	}
	return username
}

var filters = map[string]func(Card) bool{
	"belum": func(c Card) bool { return c.Answer.Review == nil },
	"dikembalikan": func(c Card) bool {
		return c.Answer.Review != nil && c.Answer.Review.Verdict == assessment.VerdictReturned
	},
	"berubah": func(c Card) bool { return c.Resubmitted && c.Answer.Changed() },
}

// build assembles the page; state, when set, marks one card after a save.
func (h *Handler) build(ctx context.Context, u *account.User, a *assessment.Assessment, inst *instrument.Instrument, filter string, state *Card) (*Page, error) {
	st := h.Service.Assessments.Store
	sh, err := st.Sheet(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	un, err := h.Units.ByCode(ctx, a.Unit)
	if err != nil {
		return nil, err
	}
	p := &Page{A: a, Inst: inst, UnitName: un.Name, Filter: filter}
	if per, err := h.Periods.ByYear(ctx, a.Period); err == nil {
		if w, ok := per.Window(a.Instrument); ok {
			p.ReviewDue = period.Due{Day: w.ReviewDeadline, Zone: h.zone(ctx), Kind: period.DueEvaluate}
		}
	} else if !apperr.Is(err, apperr.NotFound) {
		return nil, err
	}
	team, err := h.Teams.Team(ctx, a.Period, a.Instrument, a.Unit)
	if err != nil {
		return nil, err
	}
	p.Names = map[string]string{}
	named := func(username string) string {
		if username == "" {
			return ""
		}
		if n, ok := p.Names[username]; ok {
			return n
		}
		p.Names[username] = username
		if usr, err := h.Users.ByUsername(ctx, username); err == nil {
			p.Names[username] = usr.Name
		}
		return p.Names[username]
	}
	for _, m := range team {
		name := named(m.Evaluator)
		p.Team = append(p.Team, Member{Username: m.Evaluator, Name: name, Lead: m.Lead})
		if m.Evaluator == u.Username && m.Lead {
			p.Lead = true
		}
	}
	obj, err := h.Service.Assessments.Access.Object(ctx, u, a)
	if err != nil {
		return nil, err
	}
	if err := assessment.Permit(u, obj, a.Status, account.Review); err == nil {
		p.CanReview = true
	} else {
		p.Reason = apperr.Message(err)
	}
	prev, err := st.Previous(ctx, a)
	if err != nil {
		return nil, err
	}
	if p.Self, err = scoring.Score(inst, sh.SelfAnswers(), prev); err != nil {
		return nil, err
	}
	if p.Running, p.Review, err = RunningScore(inst, sh, prev); err != nil {
		return nil, err
	}
	inst.Walk(func(ar *instrument.Area, depth int) {
		if depth <= 1 {
			p.Areas = append(p.Areas, AreaRow{Code: ar.Code, Title: ar.Title, Depth: depth, Self: p.Self.Nodes[ar.Code], Review: p.Review.Nodes[ar.Code], Points: inst.Points(ar)})
		}
	})
	need := map[string]bool{}
	for _, c := range p.Running.NeedFindings {
		need[c] = true
	}
	for _, code := range FindingAreas(inst) {
		n, _ := inst.Node(code)
		row := FindingRow{Code: code, Title: n.Title, Required: need[code]}
		if f := sh.Finding(code); f != nil {
			row.Finding = *f
			named(f.By)
		}
		p.Findings = append(p.Findings, row)
	}
	resubmitted := a.Returns > 0 && a.Status != assessment.Returned
	keep := filters[filter]
	var walkErr error
	inst.Walk(func(ar *instrument.Area, _ int) {
		if !ar.IsLeaf() || walkErr != nil {
			return
		}
		g := Group{Code: ar.Code, Path: areaPath(inst, ar)}
		for _, ind := range ar.Indicators {
			card := Card{Indicator: ind, Scale: inst.ScaleOf(ind.Code), Choices: inst.Choices(ind.Code), Answer: assessment.Answer{Indicator: ind.Code}, Editable: p.CanReview}
			if ans := sh.Answer(ind.Code); ans != nil {
				card.Answer = *ans
			}
			card.Resubmitted = resubmitted && card.Answer.AtReturn != nil && card.Answer.AtReturn.Round == a.Returns
			if card.Answer.Review == nil {
				p.Unreviewed++
			} else if card.Answer.Review.Verdict == assessment.VerdictReturned {
				p.Marked = append(p.Marked, ind.Code)
			}
			if card.Answer.Self == nil {
				p.Unanswered++
			} else {
				named(card.Answer.Self.By)
			}
			if card.Answer.Review != nil {
				named(card.Answer.Review.By)
			}
			if card.Resubmitted && card.Answer.Changed() {
				p.Changed++
			}
			for _, e := range card.Answer.Evidence {
				if e.Kind != assessment.EvidenceFile {
					continue
				}
				others, err := st.SharedWith(ctx, e.ID, a.Unit)
				if err != nil {
					walkErr = err
					return
				}
				if len(others) > 0 {
					if card.Shared == nil {
						card.Shared = map[string][]string{}
					}
					card.Shared[e.ID] = others
				}
			}
			if state != nil && state.Code == ind.Code {
				card.State, card.Error, card.Mine = state.State, state.Error, state.Mine
				if state.State == "konflik" && card.Answer.Review != nil {
					card.Error = assessment.NamedIn(card.Error, card.Answer.Review.By, named(card.Answer.Review.By))
				}
			}
			if keep == nil || keep(card) || (state != nil && state.Code == ind.Code) {
				g.Cards = append(g.Cards, card)
			}
		}
		if len(g.Cards) > 0 {
			p.Groups = append(p.Groups, g)
		}
	})
	return p, walkErr
}

// areaPath is "Manajemen Perubahan › Pemenuhan › Penyusunan Tim Kerja".
func areaPath(inst *instrument.Instrument, a *instrument.Area) string {
	parts := []string{a.Title}
	for p := inst.Parent(a.Code); p != nil; p = inst.Parent(p.Code) {
		parts = append([]string{p.Title}, parts...)
	}
	return strings.Join(parts, " › ")
}

func base(a *assessment.Assessment) string {
	return fmt.Sprintf("/reviu/%d/%s/%s", a.Period, a.Instrument, a.Unit)
}

func (h *Handler) render(c *fiber.Ctx, p *Page) error {
	return web.Render(c, "review/page", "Reviu "+p.Inst.Title+" · "+p.UnitName, fiber.Map{"P": p, "Base": base(p.A), "Htmx": true})
}

func (h *Handler) page(c *fiber.Ctx) error {
	if u := web.CurrentUser(c); u.Role != account.Evaluator {
		// Others read a sheet on its own page (a kecamatan's own, or anyone's for leaders);
		// that page decides whether they may.
		return c.Redirect(fmt.Sprintf("/penilaian/%s/%s/%s", c.Params("year"), c.Params("instrument"), c.Params("unit")), fiber.StatusSeeOther)
	}
	a, inst, err := h.Loader.Load(c, account.Review)
	if err != nil {
		return err
	}
	filter := c.Query("saring")
	if _, ok := filters[filter]; !ok {
		filter = ""
	}
	p, err := h.build(c.UserContext(), web.CurrentUser(c), a, inst, filter, nil)
	if err != nil {
		return err
	}
	p.Notice = notices[c.Query("pesan")]
	if n := c.Query("disetujui"); n != "" {
		if k, err := strconv.Atoi(n); err == nil && k >= 0 {
			p.Notice = fmt.Sprintf("%d indikator disetujui sesuai jawaban kecamatan.", k)
		}
	}
	return h.render(c, p)
}

// notices are the messages a redirect after a successful action carries (?pesan=).
var notices = map[string]string{
	"dikembalikan": "Indikator yang ditandai telah dikembalikan kepada kecamatan untuk diperbaiki.",
	"final":        "Penilaian telah difinalkan. Laporan Hasil Evaluasi (LHE) tersedia.",
	"temuan":       "Temuan dan rekomendasi tersimpan.",
}

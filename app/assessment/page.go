package assessment

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/instrument"
	decimal "github.com/rapor-rb/raporrb/app/num"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/scoring"
	"github.com/rapor-rb/raporrb/app/web"
)

// PageRoutes registers the assessment page and its forms. Every form works without
// JavaScript (a full page comes back); with htmx only the indicator and the score panel are
// swapped.
func (h *Handler) PageRoutes(r web.Router) {
	g := r.Group("/penilaian/:year/:instrument/:unit")
	g.Get("", account.SignedIn, h.page)
	g.Post("/jawaban/:indicator", account.UnitMembers, h.saveForm)
	g.Post("/ajukan", account.UnitMembers, h.submitForm)
	g.Get("/riwayat/:indicator", account.SignedIn, h.historyPage)
}

// Row is one indicator on the page.
type Row struct {
	instrument.Indicator
	Scale instrument.Scale
	// Choices are the answers with the LKE's criterion of each (options of a choice scale, the
	// 0–5 descriptors of a PEKPPP indicator).
	Choices []instrument.Choice
	Answer  Answer
	// Shared lists, per file evidence id, the other units that uploaded the same bytes
	// (shown to evaluators and leaders, not to the unit).
	Shared   map[string][]string
	Editable bool
	Returned bool
	// Set after a save: "tersimpan", "galat" (with Error) or "konflik" (with Mine, the
	// version the person tried to save, beside Answer, the current one).
	State string
	Error string
	Mine  *Response
	// Typed is what the person sent when a save or an evidence form failed: the form shows it
	// again, never the stored value, so nothing typed is lost.
	Typed *Typed
	// EvidenceError is the error of an evidence upload, link or removal, shown in the
	// indicator's evidence block.
	EvidenceError string
	// LatestBy is the name of the person whose answer won a conflict (State "konflik").
	LatestBy string
}

// Typed is the content of a form that failed, as it was sent.
type Typed struct {
	Answer, Note, URL string
}

// Chosen is the value shown in the control: what was typed when a save failed, else the
// stored option key or number.
func (r Row) Chosen() string {
	if r.Typed != nil {
		return r.Typed.Answer
	}
	if r.Answer.Self == nil {
		return ""
	}
	if r.Answer.Self.Option != "" {
		return r.Answer.Self.Option
	}
	if r.Answer.Self.Value != nil {
		// A text input with the decimal comma people type (a number input would turn a
		// typed "2,5" into 25 in some browsers); the form reads either separator.
		return decimal.ID(*r.Answer.Self.Value)
	}
	return ""
}

// SurveyValue is the value a public survey wrote, as the sheet shows it (two decimals,
// decimal comma; the stored value is the survey's exact mean), or "" when it wrote none.
func (r Row) SurveyValue() string {
	if !r.Answer.FromSurvey() || r.Answer.Self.Value == nil {
		return ""
	}
	return decimal.ID2(*r.Answer.Self.Value)
}

// Min is the smallest number a numeric scale takes.
func (r Row) Min() float64 {
	if r.Scale.Kind == instrument.KindPercent || r.Scale.Min == nil {
		return 0
	}
	return *r.Scale.Min
}

// MinPtr and MaxPtr are Min and Max for the num template function (decimal comma).
func (r Row) MinPtr() *float64 { x := r.Min(); return &x }

// MaxPtr is Max as a pointer, see MinPtr.
func (r Row) MaxPtr() *float64 { x := r.Max(); return &x }

// Max is the largest number a numeric scale takes.
func (r Row) Max() float64 {
	if r.Scale.Kind == instrument.KindPercent || r.Scale.Max == nil {
		return 100
	}
	return *r.Scale.Max
}

// Group is one leaf area of the sheet with its indicators.
type Group struct {
	Code, Path string
	Score      float64
	Points     float64
	Rows       []Row
	// LastYear is the evaluators' finding of last year for the report area this group opens
	// (set on the first group of each such area).
	LastYear *Finding
}

// Bar is an area's score against its maximum in the score panel.
type Bar struct {
	Code, Title   string
	Depth         int
	Score, Points float64
}

// Page is everything the assessment page shows.
type Page struct {
	A          *Assessment
	Inst       *instrument.Instrument
	UnitName   string
	Due        period.Due
	Editable   bool
	EditReason string
	CanSubmit  bool
	Filter     string
	Groups     []Group
	Score      scoring.Result
	Failures   []scoring.Failure
	Bars       []Bar
	NoEvidence int
	// Returned lists the items the evaluator returned (status perlu_perbaikan), Untouched
	// those of them not changed since.
	Returned  []string
	Untouched []string
	// CanReopen: an admin looking at a final sheet. IsReviewer: an evaluator of its team.
	CanReopen  bool
	IsReviewer bool
	// UploadMax is the largest evidence file in bytes (the upload forms check it first).
	UploadMax int64
	// Notice is the message of a redirect after an action (?pesan=).
	Notice string
}

// filters of the page: not yet answered, without evidence, returned by the evaluator.
var filters = map[string]func(Row) bool{
	"belum":        func(r Row) bool { return r.Answer.Self == nil },
	"tanpa-bukti":  func(r Row) bool { return len(r.Answer.Evidence) == 0 && !r.Answer.FromSurvey() },
	"dikembalikan": func(r Row) bool { return r.Returned },
}

// build assembles the page; state, when set, marks one indicator after a save.
func (h *Handler) build(ctx context.Context, u *account.User, a *Assessment, inst *instrument.Instrument, filter string, state *Row) (*Page, error) {
	sh, err := h.Store.Sheet(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	un, err := h.Units.ByCode(ctx, a.Unit)
	if err != nil {
		return nil, err
	}
	p := &Page{A: a, Inst: inst, UnitName: un.Name, Filter: filter, UploadMax: h.UploadMax}
	if p.Due, err = h.Service.Deadline(ctx, a); err != nil {
		return nil, err
	}
	if err := h.Service.CheckEditable(ctx, u, a, sh, ""); err == nil {
		p.Editable = true
	} else if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Conflict) {
		p.EditReason = apperr.Message(err)
	} else if !apperr.Is(err, apperr.Unauthorized) {
		return nil, err
	}
	p.CanSubmit = p.Editable && account.Decide(u, account.Submit, account.Object{Unit: a.Unit}) == nil
	prev, err := h.Store.Previous(ctx, a)
	if err != nil {
		return nil, err
	}
	if p.Score, err = scoring.Score(inst, sh.SelfAnswers(), prev); err != nil {
		return nil, err
	}
	p.Failures = scoring.Explain(inst, p.Score, prev)
	lastYear, err := h.lastYearFindings(ctx, a)
	if err != nil {
		return nil, err
	}
	if a.Status == Returned {
		for _, ans := range sh.Answers {
			if ans.Review != nil && ans.Review.Verdict == VerdictReturned {
				p.Returned = append(p.Returned, ans.Indicator)
			}
		}
		p.Untouched = Untouched(sh)
	}
	p.CanReopen = a.Status == Final && account.Decide(u, account.Reopen, account.Object{Unit: a.Unit}) == nil
	p.IsReviewer = u.Role == account.Evaluator && h.Access.Decide(ctx, u, account.Review, a) == nil
	keep := filters[filter]
	var walkErr error
	inst.Walk(func(ar *instrument.Area, depth int) {
		if depth <= 1 {
			p.Bars = append(p.Bars, Bar{Code: ar.Code, Title: ar.Title, Depth: depth, Score: p.Score.Nodes[ar.Code], Points: inst.Points(ar)})
		}
		if !ar.IsLeaf() {
			return
		}
		g := Group{Code: ar.Code, Path: areaPath(inst, ar), Score: p.Score.Nodes[ar.Code], Points: inst.Points(ar)}
		for _, ind := range ar.Indicators {
			row := Row{Indicator: ind, Scale: inst.ScaleOf(ind.Code), Choices: inst.Choices(ind.Code)}
			if ans := sh.Answer(ind.Code); ans != nil {
				row.Answer = *ans
			} else {
				row.Answer = Answer{Indicator: ind.Code}
			}
			if u.Role != account.Staf && u.Role != account.Camat {
				for _, e := range row.Answer.Evidence {
					if e.Kind != EvidenceFile {
						continue
					}
					others, err := h.Store.SharedWith(ctx, e.ID, a.Unit)
					if err != nil {
						walkErr = err
						return
					}
					if len(others) > 0 {
						if row.Shared == nil {
							row.Shared = map[string][]string{}
						}
						row.Shared[e.ID] = others
					}
				}
			}
			row.Returned = row.Answer.Review != nil && row.Answer.Review.Verdict == VerdictReturned
			row.Editable = p.Editable && (a.Status != Returned || row.Returned) && !row.Answer.FromSurvey()
			if len(row.Answer.Evidence) == 0 && !row.Answer.FromSurvey() { // a survey is its answer's evidence
				p.NoEvidence++
			}
			if state != nil && state.Code == ind.Code {
				row.State, row.Error, row.Mine, row.Typed, row.EvidenceError = state.State, state.Error, state.Mine, state.Typed, state.EvidenceError
				if row.State == "konflik" && row.Answer.Self != nil {
					by := row.Answer.Self.By
					row.LatestBy = h.names(ctx, by)[by]
					row.Error = NamedIn(row.Error, by, row.LatestBy)
				}
			}
			if keep == nil || keep(row) || (state != nil && state.Code == ind.Code) {
				g.Rows = append(g.Rows, row)
			}
		}
		if len(g.Rows) > 0 {
			if f, ok := lastYear[inst.ReportAreaOf(ar.Code)]; ok {
				g.LastYear = &f
				delete(lastYear, inst.ReportAreaOf(ar.Code))
			}
			p.Groups = append(p.Groups, g)
		}
	})
	return p, walkErr
}

// lastYearFindings returns, by report area, the findings of the unit's final sheet of the
// year before: the next year's sheet shows last year's recommendations where they apply.
func (h *Handler) lastYearFindings(ctx context.Context, a *Assessment) (map[string]Finding, error) {
	prev, err := h.Store.ByID(ctx, ID(a.Period-1, a.Instrument, a.Unit))
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if prev.Status != Final {
		return nil, nil
	}
	sh, err := h.Store.Sheet(ctx, prev.ID)
	if err != nil {
		return nil, err
	}
	out := map[string]Finding{}
	for _, f := range sh.Findings {
		if f.Rekomendasi != "" {
			out[f.Area] = f
		}
	}
	return out, nil
}

// areaPath is "Manajemen Perubahan › Pemenuhan › Penyusunan Tim Kerja".
func areaPath(inst *instrument.Instrument, a *instrument.Area) string {
	parts := []string{a.Title}
	for p := inst.Parent(a.Code); p != nil; p = inst.Parent(p.Code) {
		parts = append([]string{p.Title}, parts...)
	}
	return strings.Join(parts, " › ")
}

func (h *Handler) page(c *fiber.Ctx) error {
	a, inst, err := h.Load(c, account.Read)
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
	if c.Query("pesan") == "dibuka" {
		p.Notice = "Penilaian dibuka kembali dan dikembalikan ke tahap reviu; ketua tim evaluator diberi tahu beserta alasannya."
	}
	return web.Render(c, "assessment/page", inst.Title+" · "+p.UnitName, fiber.Map{"P": p, "Htmx": true})
}

// formInput reads the answer form: the option key for choice scales, or a number (a decimal
// comma is accepted) for percent and number scales.
func formInput(c *fiber.Ctx, inst *instrument.Instrument, code string) (AnswerInput, error) {
	if _, ok := inst.Indicator(code); !ok {
		return AnswerInput{}, apperr.New(apperr.Invalid, "Indikator %q tidak ada pada instrumen %s.", code, inst.ID)
	}
	rev, err := strconv.ParseInt(c.FormValue("rev"), 10, 64)
	if err != nil {
		return AnswerInput{}, apperr.New(apperr.Invalid, "Formulir indikator %s tidak lengkap (rev). Muat ulang halaman.", code)
	}
	raw := strings.TrimSpace(c.FormValue("jawaban"))
	if raw == "" {
		return AnswerInput{}, apperr.New(apperr.Invalid, "Pilih atau isi jawaban indikator %s terlebih dahulu.", code)
	}
	var v any = raw
	if inst.ScaleOf(code).Kind != instrument.KindChoice {
		f, err := strconv.ParseFloat(strings.Replace(raw, ",", ".", 1), 64)
		if err != nil {
			return AnswerInput{}, apperr.New(apperr.Invalid, "Jawaban indikator %s harus berupa angka, bukan %q.", code, raw)
		}
		v = f
	}
	return ParseAnswerInput(inst, code, v, c.FormValue("catatan"), &rev)
}

func (h *Handler) saveForm(c *fiber.Ctx) error {
	a, inst, err := h.Load(c, account.Answer)
	if err != nil {
		return err
	}
	code := c.Params("indicator")
	u := web.CurrentUser(c)
	state := &Row{Indicator: instrument.Indicator{Code: code}, State: "tersimpan"}
	in, err := formInput(c, inst, code)
	if err == nil {
		_, _, err = h.Service.SaveAnswer(c.UserContext(), u, a.ID, in)
	}
	var status int
	switch {
	case err == nil:
		status = fiber.StatusOK
	case apperr.Is(err, apperr.Conflict) && apperr.DetailOf(err) != nil: // a colleague's newer answer
		status, state.State, state.Error = fiber.StatusConflict, "konflik", CardMessage(err, code)
		mine := &Response{Option: in.Answer.Option, Value: in.Answer.Number, Note: in.Note, By: u.Username}
		state.Mine = mine
	case apperr.Is(err, apperr.Invalid), apperr.Is(err, apperr.Forbidden), apperr.Is(err, apperr.Conflict):
		status, state.State, state.Error = web.Status(err), "galat", CardMessage(err, code)
		state.Typed = &Typed{Answer: c.FormValue("jawaban"), Note: c.FormValue("catatan")}
	default:
		return err
	}
	if a, err = h.Store.ByID(c.UserContext(), a.ID); err != nil {
		return err
	}
	if c.Get("HX-Request") == "" && status == fiber.StatusOK {
		return c.Redirect(fmt.Sprintf("%s#ind-%s", strings.TrimSuffix(c.Path(), "/jawaban/"+code), code), fiber.StatusSeeOther)
	}
	p, err := h.build(c.UserContext(), u, a, inst, "", state)
	if err != nil {
		return err
	}
	c.Status(status)
	if c.Get("HX-Request") != "" {
		row := findRow(p, code)
		return c.Render("assessment/saved", fiber.Map{"P": p, "R": row, "CSRF": web.CSRF(c)})
	}
	return web.Render(c, "assessment/page", inst.Title+" · "+p.UnitName, fiber.Map{"P": p, "Htmx": true})
}

func findRow(p *Page, code string) *Row {
	for gi := range p.Groups {
		for ri := range p.Groups[gi].Rows {
			if p.Groups[gi].Rows[ri].Code == code {
				return &p.Groups[gi].Rows[ri]
			}
		}
	}
	return nil
}

func (h *Handler) submitForm(c *fiber.Ctx) error {
	a, _, err := h.Load(c, account.Submit)
	if err != nil {
		return err
	}
	incomplete := a.Progress.Answered < a.Progress.Total || a.Progress.Evidenced < a.Progress.Total
	if incomplete && c.FormValue("yakin") != "ya" {
		var parts []string
		if n := a.Progress.Total - a.Progress.Answered; n > 0 {
			parts = append(parts, fmt.Sprintf("%d indikator belum dijawab", n))
		}
		if n := a.Progress.Total - a.Progress.Evidenced; n > 0 {
			parts = append(parts, fmt.Sprintf("%d indikator belum berbukti", n))
		}
		return apperr.New(apperr.Invalid, "Masih ada %s. Centang pernyataan di formulir pengajuan bila tetap ingin mengajukan.", strings.Join(parts, " dan "))
	}
	if _, err := h.Service.Submit(c.UserContext(), web.CurrentUser(c), a.ID, c.FormValue("yakin") == "ya"); err != nil {
		return err
	}
	return c.Redirect(strings.TrimSuffix(c.Path(), "/ajukan"), fiber.StatusSeeOther)
}

// historyPage shows a page of one indicator's saved versions, newest first (?sebelum= pages
// back): inside the indicator with htmx, as a page of its own without JavaScript.
func (h *Handler) historyPage(c *fiber.Ctx) error {
	a, inst, err := h.Load(c, account.Read)
	if err != nil {
		return err
	}
	vs, next, err := h.versions(c, a)
	if err != nil {
		return err
	}
	ind, _ := inst.Indicator(c.Params("indicator"))
	var by []string
	for _, v := range vs {
		by = append(by, v.By)
	}
	data := fiber.Map{"A": a, "Inst": inst, "Ind": ind, "Versions": vs, "Next": next, "Names": h.names(c.UserContext(), by...),
		"Base": fmt.Sprintf("/penilaian/%d/%s/%s", a.Period, a.Instrument, a.Unit)}
	if c.Get("HX-Request") != "" {
		return c.Render("assessment/history", data)
	}
	return web.Render(c, "assessment/historypage", "Riwayat "+ind.Code, data)
}

// CardMessage is err's message as shown inside the indicator's own card, where naming the
// indicator again by its code would only put a raw code in the sentence ("Jawaban indikator
// P.MP.RF.1.a harus berupa angka" reads "Jawaban indikator ini harus berupa angka"). The API
// keeps the message with the code, which is what its callers need.
func CardMessage(err error, code string) string {
	msg := strings.TrimPrefix(apperr.Message(err), "Indikator "+code+": ")
	for _, r := range []struct{ from, to string }{
		{"indikator " + code, "indikator ini"},
		{"Indikator " + code, "Indikator ini"},
		{"indikator \"" + code + "\"", "indikator ini"},
		{"Indikator \"" + code + "\"", "Indikator ini"},
	} {
		msg = strings.ReplaceAll(msg, r.from, r.to)
	}
	if msg == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(msg)
	return string(unicode.ToUpper(r)) + msg[n:]
}

// NamedIn puts a person's name in place of their username in a conflict message of the
// service ("… telah diubah oleh staf.sukamaju. …"): on a page people read names, not logins;
// the API keeps the username.
func NamedIn(msg, username, name string) string {
	if username == "" || name == "" || name == username {
		return msg
	}
	return strings.Replace(msg, "oleh "+username+".", "oleh "+name+".", 1)
}

// names maps usernames to the names people read (the username itself when unknown, or when
// the handler has no Users); a public survey's answers are by "Survei publik".
func (h *Handler) names(ctx context.Context, usernames ...string) map[string]string {
	out := make(map[string]string, len(usernames))
	for _, un := range usernames {
		if _, ok := out[un]; ok {
			continue
		}
		out[un] = un
		switch {
		case un == BySurvey:
			out[un] = "Survei publik"
		case h.Users != nil:
			if u, err := h.Users.ByUsername(ctx, un); err == nil && u.Name != "" {
				out[un] = u.Name
			}
		}
	}
	return out
}

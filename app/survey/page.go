package survey

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/num"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/unit"
	"github.com/rapor-rb/raporrb/app/web"
	"github.com/rapor-rb/raporrb/charts"
)

// UnitLister lists the units a survey can be set up for.
type UnitLister interface {
	List(ctx context.Context) ([]unit.Unit, error)
}

// PeriodLister lists the periods (newest first).
type PeriodLister interface {
	List(ctx context.Context) ([]period.Period, error)
}

// Pages serves the management pages of surveys (signed in).
type Pages struct {
	*Handler
	UnitList UnitLister
	Periods  PeriodLister
}

// styles are the stylesheets survey pages add to the layout.
var styles = []string{"/static/css/survey.css"}

// PageRoutes registers the management pages: the list (with the set-up form), a survey's
// results, its poster and QR code, closing and reopening, counting flagged responses back in,
// and the responses' XLSX.
func (p *Pages) PageRoutes(r web.Router) {
	g := r.Group("/kelola-survei")
	g.Get("", account.SignedIn, p.listPage)
	g.Post("", account.SurveyManagers, p.createForm)
	one := g.Group("/:year/:kind/:unit")
	one.Get("", account.SignedIn, p.resultsPage)
	one.Get("/poster", account.SurveyManagers, p.poster)
	one.Get("/qr.svg", account.SurveyManagers, p.qr(false))
	one.Get("/qr.png", account.SurveyManagers, p.qr(true))
	one.Post("/tutup", account.SurveyManagers, p.setOpenForm(false))
	one.Post("/buka", account.SurveyManagers, p.setOpenForm(true))
	one.Post("/respons/:seq", account.AdminsOnly, p.includeForm)
	one.Get("/respons.xlsx", account.SignedIn, p.xlsx)
}

// ListRow is one survey on the list page.
type ListRow struct {
	*Survey
	UnitName string
}

func (p *Pages) listPage(c *fiber.Ctx) error { return p.renderList(c, nil, CreateInput{}) }

// renderList shows the surveys of the chosen year and, to those who may, the set-up form;
// err and typed come back from a failed set-up (shown, the form keeps what was typed).
func (p *Pages) renderList(c *fiber.Ctx, formErr error, typed CreateInput) error {
	ctx, u := c.UserContext(), web.CurrentUser(c)
	ps, err := p.Periods.List(ctx)
	if err != nil {
		return err
	}
	year := 0
	if len(ps) > 0 {
		year = ps[0].Year
	}
	if t := c.Query("tahun"); t != "" {
		if year, err = period.ParseYear(t); err != nil {
			return err
		}
	}
	if typed.Period != 0 {
		year = typed.Period
	}
	svs, err := p.Service.List(ctx, u, year)
	if err != nil {
		return err
	}
	names, err := p.names(ctx)
	if err != nil {
		return err
	}
	rows := make([]ListRow, len(svs))
	for i := range svs {
		rows[i] = ListRow{Survey: &svs[i], UnitName: names[svs[i].Unit]}
	}
	var units []unit.Unit
	switch u.Role {
	case account.Admin:
		all, err := p.UnitList.List(ctx)
		if err != nil {
			return err
		}
		for _, un := range all {
			if un.Active && un.Parent != "" {
				units = append(units, un)
			}
		}
	case account.Camat:
		if un, err := p.Units.ByCode(ctx, u.Unit); err == nil {
			units = []unit.Unit{*un}
		}
	}
	data := fiber.Map{"Rows": rows, "Year": year, "Periods": ps, "Units": units, "Kinds": Kinds, "Typed": typed, "Styles": styles}
	if formErr != nil {
		st, msg, _ := web.StatusOf(formErr)
		c.Status(st)
		data["Error"] = msg
	}
	return web.Render(c, "survey/list", "Survei publik", data)
}

// names maps unit codes to names.
func (p *Pages) names(ctx context.Context) (map[string]string, error) {
	all, err := p.UnitList.List(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(all))
	for _, un := range all {
		m[un.Code] = un.Name
	}
	return m, nil
}

func (p *Pages) createForm(c *fiber.Ctx) error {
	in := CreateInput{Unit: strings.TrimSpace(c.FormValue("unit")), Kind: Kind(c.FormValue("jenis")), Service: c.FormValue("layanan")}
	if u := web.CurrentUser(c); u.Role == account.Camat && in.Unit == "" {
		in.Unit = u.Unit
	}
	var err error
	if in.Period, err = strconv.Atoi(c.FormValue("tahun")); err != nil {
		err = apperr.New(apperr.Invalid, "Pilih tahun survei.")
	} else if in.Population, err = strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(c.FormValue("populasi")), ".", "")); err != nil {
		err = apperr.New(apperr.Invalid, "Isi jumlah pengguna layanan periode sebelumnya dengan bilangan bulat.")
	}
	if err == nil {
		var sv *Survey
		if sv, err = p.Service.Create(c.UserContext(), web.CurrentUser(c), in); err == nil {
			return c.Redirect("/kelola-survei/"+sv.ID, fiber.StatusSeeOther)
		}
	}
	if !apperr.Is(err, apperr.Invalid) && !apperr.Is(err, apperr.Conflict) && !apperr.Is(err, apperr.Forbidden) && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	return p.renderList(c, err, in)
}

// QuestionRow is one question on the results page.
type QuestionRow struct {
	Question
	NRR      *float64
	Answered int
	Weakest  bool
}

// ChartData is one chart of a page: its option and what it shows, for screen readers.
type ChartData struct {
	ID     string
	Label  string
	Option json.RawMessage
	Rows   int
}

// Suggestion is a respondent's suggestion as the results page lists it (escaped there, as
// everything a template prints).
type Suggestion struct {
	At   time.Time
	Text string
}

// maxSuggestionsShown bounds the suggestions on the results page (newest first).
const maxSuggestionsShown = 50

// TrendPoint is a year's value of a unit's survey (or, before the survey was in the app, of
// its instrument).
type TrendPoint struct {
	Year   int
	Value  float64
	Source string // "survei" or "lembar kerja"
}

func (p *Pages) resultsPage(c *fiber.Ctx) error {
	ctx, u := c.UserContext(), web.CurrentUser(c)
	sv, err := p.load(c, account.Read)
	if err != nil {
		return err
	}
	res, rs, flags, err := p.Service.Results(ctx, sv)
	if err != nil {
		return err
	}
	p.Service.CatchUp(sv)
	f := sv.Form()
	var qs []QuestionRow
	var bars []charts.ScoreBar
	for _, q := range f.Questions {
		qs = append(qs, QuestionRow{Question: q, NRR: res.NRR[q.Key], Answered: res.Answered[q.Key], Weakest: q.Key == res.Weakest})
		bars = append(bars, charts.ScoreBar{Label: q.Label, Value: res.NRR[q.Key], Weakest: q.Key == res.Weakest})
	}
	barsOpt, err := charts.SurveyBars("Nilai rata-rata per "+map[Kind]string{IKM: "unsur", F03: "pernyataan"}[sv.Kind], bars, float64(f.Min), float64(f.Max))
	if err != nil {
		return err
	}
	gauge, err := charts.SampleGauge("Responden terhitung", res.N, res.RequiredSample)
	if err != nil {
		return err
	}
	trend, err := p.trend(ctx, sv, res)
	if err != nil {
		return err
	}
	var lines []charts.TrendLine
	var years []int
	vals := []*float64{}
	for _, t := range trend {
		years = append(years, t.Year)
		v := t.Value
		vals = append(vals, &v)
	}
	label := map[Kind]string{IKM: "IKM", F03: "Nilai F-03"}[sv.Kind]
	lines = append(lines, charts.TrendLine{Name: label, Values: vals})
	maxTrend := 100.0
	if sv.Kind == F03 {
		maxTrend = 5
	}
	trendOpt, err := charts.Trend("Tren "+label, years, lines, maxTrend, nil)
	if err != nil {
		return err
	}
	weakest, _ := f.Question(res.Weakest)
	var missing []string
	for _, k := range res.Missing {
		q, _ := f.Question(k)
		missing = append(missing, q.Short)
	}
	var saran []Suggestion
	for i := len(rs) - 1; i >= 0 && len(saran) < maxSuggestionsShown; i-- {
		if r := rs[i]; r.Saran != "" && Counted(flags, sv.Included, r.Seq) {
			saran = append(saran, Suggestion{At: r.At, Text: r.Saran})
		}
	}
	data := fiber.Map{"S": sv, "Form": f, "R": res, "Questions": qs, "UnitName": p.unitName(c, sv.Unit), "Weakest": weakest,
		"Trend": trend, "Charts": true, "Styles": styles, "Sheet": fmt.Sprintf("/penilaian/%d/%s/%s", sv.Period, sv.Instrument, sv.Unit),
		"ChartBars":  ChartData{ID: "survei-unsur", Label: "Nilai rata-rata setiap pertanyaan", Option: barsOpt, Rows: len(bars)},
		"ChartGauge": ChartData{ID: "survei-sampel", Label: fmt.Sprintf("%d dari %d responden yang dibutuhkan", res.N, res.RequiredSample), Option: gauge},
		"ChartTrend": ChartData{ID: "survei-tren", Label: "Tren " + label + " per tahun", Option: trendOpt},
		"Kurang":     max(res.RequiredSample-res.N, 0), "Saran": saran, "Missing": strings.Join(missing, ", ")}
	if p.Service.Decide(ctx, u, account.Survey, sv) == nil {
		data["Links"] = p.links(c, sv)
		data["CanManage"] = true
	}
	if p.Service.Decide(ctx, u, account.Manage, sv) == nil {
		data["Flagged"] = flaggedRows(f, flaggedOf(sv, rs, flags))
		data["IsAdmin"] = true
	}
	return web.Render(c, "survey/results", f.Title+" · "+p.unitName(c, sv.Unit), data)
}

// trend returns the unit's value of the survey's kind for up to five years to sv's: the
// survey's own result where the year had one in the app, else the value the year's sheet
// holds (IKM's total; F-03's answer), final when final.
func (p *Pages) trend(ctx context.Context, sv *Survey, res *Results) ([]TrendPoint, error) {
	var out []TrendPoint
	for y := sv.Period - 4; y <= sv.Period; y++ {
		if y == sv.Period {
			if v := res.Value(""); v != nil {
				out = append(out, TrendPoint{Year: y, Value: num.Round(v), Source: "survei"})
			}
			continue
		}
		if old, err := p.Service.Store.ByID(ctx, ID(y, sv.Kind, sv.Unit)); err == nil {
			r, _, _, err := p.Service.Results(ctx, old)
			if err != nil {
				return nil, err
			}
			if v := r.Value(""); v != nil {
				out = append(out, TrendPoint{Year: y, Value: num.Round(v), Source: "survei"})
			}
			continue
		} else if !apperr.Is(err, apperr.NotFound) {
			return nil, err
		}
		v, ok, err := p.sheetValue(ctx, y, sv)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, TrendPoint{Year: y, Value: v, Source: "lembar kerja"})
		}
	}
	return out, nil
}

// sheetValue is the value year's assessment of sv's unit holds for the survey's kind.
func (p *Pages) sheetValue(ctx context.Context, year int, sv *Survey) (float64, bool, error) {
	pr, err := p.Service.Periods.ByYear(ctx, year)
	if apperr.Is(err, apperr.NotFound) {
		return 0, false, nil
	} else if err != nil {
		return 0, false, err
	}
	f := sv.Form()
	for _, w := range pr.Instruments {
		if !strings.HasPrefix(w.Instrument, f.Family+"-") {
			continue
		}
		st := p.Service.Assessments.Store
		a, err := st.ByID(ctx, assessment.ID(year, w.Instrument, sv.Unit))
		if apperr.Is(err, apperr.NotFound) {
			continue
		} else if err != nil {
			return 0, false, err
		}
		if sv.Kind == IKM {
			snap := a.Self
			if a.Status == assessment.Final && a.Final != nil {
				snap = *a.Final
			}
			return snap.Total, snap.Missing < len(f.Targets), nil
		}
		sh, err := st.Sheet(ctx, a.ID)
		if err != nil {
			return 0, false, err
		}
		ans := sh.Answer(f.Targets[0].Indicator)
		if ans == nil {
			return 0, false, nil
		}
		if a.Status == assessment.Final && ans.Review != nil && ans.Review.Value != nil {
			return num.Round2(*ans.Review.Value), true, nil
		}
		if ans.Self != nil && ans.Self.Value != nil {
			return num.Round2(*ans.Self.Value), true, nil
		}
	}
	return 0, false, nil
}

func (p *Pages) poster(c *fiber.Ctx) error {
	sv, err := p.load(c, account.Survey)
	if err != nil {
		return err
	}
	l := p.links(c, sv)
	short := strings.TrimPrefix(strings.TrimPrefix(l.URL, "https://"), "http://")
	return web.Render(c, "survey/poster", "Poster survei · "+p.unitName(c, sv.Unit), fiber.Map{"S": sv, "Form": sv.Form(),
		"UnitName": p.unitName(c, sv.Unit), "Links": l, "Short": short, "Grouped": GroupToken(sv.Token), "Styles": styles,
		"QR": "/kelola-survei/" + sv.ID + "/qr.svg"})
}

// GroupToken writes a token in groups of four for reading off paper: "7kq2-mx9p-a3ht-4wzc"
// (the public form takes it with or without the dashes, in either case).
func GroupToken(t string) string {
	var parts []string
	for i := 0; i < len(t); i += 4 {
		parts = append(parts, t[i:min(i+4, len(t))])
	}
	return strings.Join(parts, "-")
}

// qr serves the QR code of the public form (?kios=1: of the kiosk form), as SVG or PNG.
func (p *Pages) qr(png bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		sv, err := p.load(c, account.Survey)
		if err != nil {
			return err
		}
		l := p.links(c, sv)
		target := l.URL
		if c.Query("kios") == "1" {
			target = l.KioskURL
		}
		c.Set(fiber.HeaderCacheControl, "private, max-age=3600")
		if png {
			b, err := QRPNG(target, 1024)
			if err != nil {
				return err
			}
			c.Set(fiber.HeaderContentType, "image/png")
			return c.Send(b)
		}
		b, err := QRSVG(target)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "image/svg+xml")
		return c.Send(b)
	}
}

func (p *Pages) setOpenForm(open bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idOf(c)
		if err != nil {
			return err
		}
		if _, err := p.Service.SetOpen(c.UserContext(), web.CurrentUser(c), id, open); err != nil {
			return err
		}
		return c.Redirect("/kelola-survei/"+id, fiber.StatusSeeOther)
	}
}

func (p *Pages) includeForm(c *fiber.Ctx) error {
	id, err := idOf(c)
	if err != nil {
		return err
	}
	seq, err := strconv.ParseInt(c.Params("seq"), 10, 64)
	if err != nil || seq < 1 {
		return apperr.New(apperr.NotFound, "Respons tidak ditemukan.")
	}
	if _, err := p.Service.Include(c.UserContext(), web.CurrentUser(c), id, seq, c.FormValue("sertakan") == "1"); err != nil {
		return err
	}
	return c.Redirect("/kelola-survei/"+id+"#ditandai", fiber.StatusSeeOther)
}

// FlaggedRow is a flagged response on the results page: its reasons and answers in words.
type FlaggedRow struct {
	FlaggedResponse
	ReasonText string
	AnswerText string
}

func flaggedRows(f *Form, fs []FlaggedResponse) []FlaggedRow {
	out := make([]FlaggedRow, len(fs))
	for i, x := range fs {
		reasons := make([]string, len(x.Reasons))
		for j, r := range x.Reasons {
			reasons[j] = FlagLabel(r)
		}
		answers := make([]string, 0, len(f.Questions))
		for _, q := range f.Questions {
			a := "–"
			if v := x.Answers[q.Key]; v != nil {
				a = strconv.Itoa(*v)
			}
			answers = append(answers, q.Label+" "+a)
		}
		out[i] = FlaggedRow{FlaggedResponse: x, ReasonText: strings.Join(reasons, "; "), AnswerText: strings.Join(answers, ", ")}
	}
	return out
}

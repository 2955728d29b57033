package dashboard

import (
	"cmp"
	"context"
	"fmt"
	"math/big"
	"net/url"
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/eligibility"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/num"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/ranking"
	"github.com/rapor-rb/raporrb/app/scoring"
	"github.com/rapor-rb/raporrb/app/unit"
	"github.com/rapor-rb/raporrb/app/web"
	"github.com/rapor-rb/raporrb/charts"
)

// Subject is one kecamatan's assessment of one instrument, loaded for reading.
type Subject struct {
	A     *assessment.Assessment
	Inst  *instrument.Instrument
	Unit  *unit.Unit
	Sheet *assessment.Sheet
	Prev  scoring.Previous
}

// Final reports whether the evaluator's score is final.
func (s *Subject) Final() bool { return s.A.Status == assessment.Final && s.A.Final != nil }

// Basis is the snapshot rankings use: final when final, else the unit's own.
func (s *Subject) Basis() assessment.Snapshot {
	if s.Final() {
		return *s.A.Final
	}
	return s.A.Self
}

// answers are the answers the basis was scored from.
func (s *Subject) answers() scoring.Answers {
	if s.Final() {
		return s.Sheet.ReviewAnswers()
	}
	return s.Sheet.SelfAnswers()
}

// load resolves (year, instrument, unit): 404 for anything unknown, 403 when u may not act.
func (h *Handler) load(ctx context.Context, u *account.User, act account.Action, year, instID, code string) (*Subject, error) {
	y, err := period.ParseYear(year)
	if err != nil {
		return nil, err
	}
	inst, err := h.instrumentOf(instID)
	if err != nil {
		return nil, err
	}
	un, err := h.Units.ByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	a, err := h.Assessments.ByID(ctx, assessment.ID(y, inst.ID, un.Code))
	if err != nil {
		return nil, err
	}
	if err := h.Access.Decide(ctx, u, act, a); err != nil {
		return nil, err
	}
	sh, err := h.Assessments.Sheet(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	prev, err := h.Assessments.Previous(ctx, a)
	if err != nil {
		return nil, err
	}
	return &Subject{A: a, Inst: inst, Unit: un, Sheet: sh, Prev: prev}, nil
}

// AreaLine is one area of the drill-down against the thresholds.
type AreaLine struct {
	Code, Title string
	Depth       int
	Points      float64
	Self        float64
	Final       *float64
	Percent     float64 // of the basis score
	Rules       []RuleCheck

	exact *big.Rat // the points, exactly
}

// RuleCheck is one predicate's threshold on an area.
type RuleCheck struct {
	Predicate string
	Name      string // the predicate as a person reads it
	Min       float64
	Pass      bool
}

// Weak is an indicator by the points it loses.
type Weak struct {
	instrument.Indicator
	Answer  string
	Lost    float64
	Comment string
}

// Comment is one evaluator comment.
type Comment struct {
	Indicator, Text, Comment, Verdict, By string
}

// Drill is the drill-down page.
type Drill struct {
	*Subject
	Areas    []AreaLine
	Weakest  []Weak
	Comments []Comment
	Paths    []PathView
	Chart    Chart
	History  Chart
	Years    []int
	Scores   []*float64
	Target   string
	// Syarat is the proposal checklist (ZI), nil for an instrument without one.
	Syarat *eligibility.Report
}

// PathView is one target's path with the indicator texts resolved.
type PathView struct {
	scoring.Path
	// Asked is the target as asked for: a key, or "next" (which Path.Target resolves).
	Asked  string
	Label  string
	Steps  []StepView
	Survey []SurveyView
	// Failed is set when the planner could not plan this target (a fault, logged): the page
	// says so for this target and shows the rest.
	Failed bool
}

// StepView is one step with its indicator.
type StepView struct {
	scoring.Step
	Text     string
	From, To string
}

// SurveyView is one survey minimum with the survey's name.
type SurveyView struct {
	scoring.SurveyNeed
	Title string // the survey result as a person names it (its leaf area's title)
}

func (h *Handler) drilldown(c *fiber.Ctx) error {
	p, err := h.drillPage(c)
	if err != nil {
		return err
	}
	return web.RenderPage(c, p.Title, p.Body, fiber.Map{"Charts": true})
}

// drilldownCharts answers the options of a drill-down's charts.
func (h *Handler) drilldownCharts(c *fiber.Ctx) error {
	p, err := h.drillPage(c)
	if err != nil {
		return err
	}
	return sendCharts(c, p)
}

// drillPage is the drill-down of (year, instrument, unit) for ?target=, from memory unless
// something it shows has changed; whether the user is a leader (the links back to the
// dashboard and the rapor) is part of the key. Every request decides on the page's assessment
// whether its user may read it; a page is built only after the requesting user was allowed.
func (h *Handler) drillPage(c *fiber.Ctx) (*cachedPage, error) {
	ctx, u := c.UserContext(), web.CurrentUser(c)
	year, instID, code, target := c.Params("year"), c.Params("instrument"), c.Params("unit"), c.Query("target")
	isLeader := leader(c) == nil
	key := fmt.Sprintf("drill/%s/%s/%s?target=%s&leader=%t", year, instID, code, url.QueryEscape(target), isLeader)
	stamp := h.stamp(ctx, drillInputs)
	p, err := h.pages.get(key, stamp, func() (*cachedPage, error) {
		s, err := h.load(ctx, u, account.Read, year, instID, code)
		if err != nil {
			return nil, err
		}
		return h.buildDrill(c, s, target, isLeader)
	})
	if err != nil {
		return nil, err
	}
	if err := h.Access.Decide(ctx, u, account.Read, p.A); err != nil {
		return nil, err
	}
	return p, nil
}

// buildDrill renders a drill-down's content and collects its charts' options.
func (h *Handler) buildDrill(c *fiber.Ctx, s *Subject, target string, isLeader bool) (*cachedPage, error) {
	ctx := c.UserContext()
	d := &Drill{Subject: s, Target: target}
	d.Areas = areaLines(s)
	d.Weakest = weakest(s, 10)
	d.Comments = comments(s)
	var err error
	d.Paths = h.paths(ctx, s)
	if d.Syarat, err = h.proposal(ctx, s); err != nil {
		return nil, err
	}
	sf := make([]charts.SelfFinal, 0, len(d.Areas))
	for _, a := range d.Areas {
		if a.Depth <= 1 {
			sf = append(sf, charts.SelfFinal{Label: a.Title, Self: num.PercentOf(a.Self, a.exact), Final: pctPtr(a.Final, a.exact)})
		}
	}
	opt, err := charts.SelfVsFinal("Mandiri dan akhir per area (% dari maksimum)", sf, 100)
	if err != nil {
		return nil, err
	}
	d.Chart = Chart{ID: "area-mandiri-akhir", Label: "Grafik nilai mandiri dan akhir per area", Option: opt, Rows: len(sf) * 2}
	if err := h.history(ctx, d); err != nil {
		return nil, err
	}
	out := &cachedPage{A: s.A, Title: fmt.Sprintf("%s · %s %d", s.Unit.Name, s.Inst.Title, s.A.Period)}
	src := fmt.Sprintf("/dasbor/%d/%s/%s/grafik?target=%s", s.A.Period, s.Inst.ID, s.Unit.Code, url.QueryEscape(target))
	if out.Charts, err = chartsJSON(src, &d.Chart, &d.History); err != nil {
		return nil, err
	}
	if out.Body, err = web.RenderBody(c, "dashboard/drilldown", fiber.Map{"D": d, "Leader": isLeader}); err != nil {
		return nil, err
	}
	return out, nil
}

func pctPtr(x *float64, points *big.Rat) *float64 {
	if x == nil || points.Sign() == 0 {
		return nil
	}
	v := num.PercentOf(*x, points)
	return &v
}

// areaLines lists the areas to depth 2 with every predicate threshold that applies to them.
func areaLines(s *Subject) []AreaLine {
	basis := s.Basis()
	var out []AreaLine
	s.Inst.Walk(func(a *instrument.Area, depth int) {
		if depth > 2 {
			return
		}
		l := AreaLine{Code: a.Code, Title: a.Title, Depth: depth, Points: s.Inst.Points(a), Self: s.A.Self.Node(a.Code), exact: s.Inst.PointsExact(a)}
		if s.A.Final != nil {
			f := s.A.Final.Node(a.Code)
			l.Final = &f
		}
		score := basis.Node(a.Code)
		l.Percent = num.PercentOf(score, l.exact)
		for _, p := range s.Inst.Predicates {
			for _, r := range p.Rules {
				var min float64
				switch {
				case r.Node == a.Code && r.Min != nil:
					min = *r.Min
				case r.EachChildOf != "" && r.MinRatio != nil && isChild(s.Inst, r.EachChildOf, a.Code):
					min = scoring.ChildMin(s.Inst, r, a)
				default:
					continue
				}
				l.Rules = append(l.Rules, RuleCheck{Predicate: p.Key, Name: p.Display(), Min: min, Pass: num.CentsOf(score) >= num.CentsOf(min)})
			}
		}
		out = append(out, l)
	})
	return out
}

func isChild(inst *instrument.Instrument, parent, code string) bool {
	return slices.ContainsFunc(inst.Children(parent), func(a *instrument.Area) bool { return a.Code == code })
}

// weakest lists the n indicators that lose the most points on the basis answers: where an
// improvement pays most.
func weakest(s *Subject, n int) []Weak {
	answers := s.answers()
	var out []Weak
	for _, ind := range s.Inst.Indicators() {
		w := Weak{Indicator: ind, Answer: answerText(answers, ind.Code), Lost: scoring.Lost(s.Inst, ind.Code, answers)}
		if a := s.Sheet.Answer(ind.Code); a != nil && a.Review != nil {
			w.Comment = a.Review.Comment
		}
		if w.Lost > 0 {
			out = append(out, w)
		}
	}
	slices.SortStableFunc(out, func(a, b Weak) int { return cmp.Compare(b.Lost, a.Lost) })
	return out[:min(n, len(out))]
}

func answerText(as scoring.Answers, code string) string {
	a, ok := as[code]
	if !ok {
		return "belum dijawab"
	}
	return a.String()
}

// comments lists every evaluator comment in sheet order.
func comments(s *Subject) []Comment {
	var out []Comment
	for _, ind := range s.Inst.Indicators() {
		a := s.Sheet.Answer(ind.Code)
		if a == nil || a.Review == nil || a.Review.Comment == "" {
			continue
		}
		verdict := "Sesuai"
		if a.Review.Verdict == assessment.VerdictReturned {
			verdict = "Dikembalikan"
		}
		out = append(out, Comment{Indicator: ind.Code, Text: ind.Text, Comment: a.Review.Comment, Verdict: verdict, By: a.Review.By})
	}
	return out
}

// targets are what a path can aim for: every predicate, then the next grade.
func targets(inst *instrument.Instrument) []string {
	var out []string
	for _, p := range inst.Predicates {
		out = append(out, p.Key)
	}
	if len(inst.Grades) > 0 {
		out = append(out, scoring.TargetNext)
	}
	return out
}

// paths plans every target from the basis answers. A target the planner fails on is logged
// and shown as failed: one plan's fault never takes the drill-down or the rapor down with it.
func (h *Handler) paths(ctx context.Context, s *Subject) []PathView {
	var out []PathView
	for _, t := range targets(s.Inst) {
		v, err := planView(s, t)
		if err != nil {
			h.log().ErrorContext(ctx, "path planner failed", "assessment", s.A.ID, "target", t, "err", err)
			v = PathView{Asked: t, Label: targetLabel(s.Inst, t), Failed: true}
		}
		out = append(out, v)
	}
	return out
}

func planView(s *Subject, target string) (PathView, error) {
	p, err := scoring.PlanPath(s.Inst, s.answers(), s.Prev, target)
	if err != nil {
		return PathView{}, err
	}
	v := PathView{Path: p, Asked: target, Label: targetLabel(s.Inst, p.Target)}
	answers := s.answers()
	for _, st := range p.Steps {
		ind, _ := s.Inst.Indicator(st.Indicator)
		v.Steps = append(v.Steps, StepView{Step: st, Text: ind.Text, From: answerText(answers, st.Indicator), To: st.To.String()})
	}
	for _, n := range p.Survey {
		v.Survey = append(v.Survey, SurveyView{SurveyNeed: n, Title: s.Inst.NodeTitle(n.Area)})
	}
	return v, nil
}

// targetLabel names a target for a person: a predicate or grade key by its name, "next" as
// the next grade; an unknown key stays as it is.
func targetLabel(inst *instrument.Instrument, target string) string {
	if target == scoring.TargetNext {
		return "Predikat berikutnya"
	}
	if pr, ok := inst.Predicate(target); ok {
		if pr.Display() != pr.Label {
			return pr.Display() + ": " + pr.Label
		}
		return pr.Label
	}
	for _, g := range inst.Grades {
		if g.Key == target {
			label := "Predikat " + g.Display()
			if g.Label != g.Display() {
				label += " (" + g.Label + ")"
			}
			return label
		}
	}
	return target
}

// history is the unit's basis score on this instrument in every period, from the boards.
func (h *Handler) history(ctx context.Context, d *Drill) error {
	years, err := h.years(ctx, d.Inst.ID)
	if err != nil {
		return err
	}
	d.Years, d.Scores = years, make([]*float64, len(years))
	for i, y := range years {
		rows, err := h.Board.Rows(ctx, y, d.Inst.ID)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.Unit == d.A.Unit {
				v := r.Score
				d.Scores[i] = &v
			}
		}
	}
	opt, err := charts.Trend("Nilai per tahun", years, []charts.TrendLine{{Name: d.Unit.Name, Values: d.Scores}}, d.Inst.ScaleMax, ranking.Thresholds(d.Inst))
	if err != nil {
		return err
	}
	d.History = Chart{ID: "riwayat", Label: "Grafik nilai " + d.Unit.Name + " per tahun", Option: opt, Rows: 12}
	return nil
}

func (h *Handler) pathAPI(c *fiber.Ctx) error {
	s, err := h.load(c.UserContext(), web.CurrentUser(c), account.Read, c.Params("year"), c.Params("instrument"), c.Params("unit"))
	if err != nil {
		return err
	}
	target := c.Query("target")
	if target == "" {
		return apperr.New(apperr.Invalid, "Parameter target wajib diisi, misalnya target=WBK (pilihan: %v).", targets(s.Inst))
	}
	p, err := scoring.PlanPath(s.Inst, s.answers(), s.Prev, target)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"period": s.A.Period, "instrument": s.Inst.ID, "unit": s.Unit.Code,
		"basis": basisName(s), "path": p})
}

func basisName(s *Subject) string {
	if s.Final() {
		return "final"
	}
	return "self"
}

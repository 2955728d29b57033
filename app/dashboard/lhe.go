package dashboard

import (
	"context"
	"fmt"
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/unit"
	"github.com/rapor-rb/raporrb/app/web"
)

// LHE is the Laporan Hasil Evaluasi of one final sheet: the scores per area against the
// thresholds, the predicate, the evaluators' findings and recommendations, the team and the
// date. The kecamatan, its evaluators, the bupati and the admin may read it.
type LHE struct {
	*Subject
	Kabupaten  string
	Areas      []AreaLine
	GradeLabel string
	Predicates []PredicateResult
	Findings   []LHEFinding
	Team       []TeamMember
	Finalizer  string
}

// PredicateResult is one predicate of the final result.
type PredicateResult struct {
	Key, Label string
	Held       bool
}

// LHEFinding is one area's findings.
type LHEFinding struct {
	Code, Title string
	assessment.Finding
}

// TeamMember is one evaluator of the team.
type TeamMember struct {
	Name string
	Lead bool
}

// BuildLHE assembles the report of a final subject; names resolves usernames.
func BuildLHE(s *Subject, root *unit.Unit, team []account.Assignment, names func(string) string) (*LHE, error) {
	if !s.Final() {
		return nil, apperr.New(apperr.Conflict, "Laporan Hasil Evaluasi tersedia setelah penilaian final (status sekarang: %s).", s.A.Status.Label())
	}
	l := &LHE{Subject: s, Finalizer: names(s.A.FinalizedBy)}
	if root != nil {
		l.Kabupaten = root.Name
	}
	for _, a := range areaLines(s) {
		if a.Depth <= 1 {
			l.Areas = append(l.Areas, a)
		}
	}
	for _, g := range s.Inst.Grades {
		if g.Key == s.A.Final.Grade {
			l.GradeLabel = g.Label
		}
	}
	for _, p := range s.Inst.Predicates {
		l.Predicates = append(l.Predicates, PredicateResult{Key: p.Key, Label: p.Label, Held: s.A.Final.Predicates[p.Key]})
	}
	for _, code := range s.Inst.ReportAreas() {
		if f := s.Sheet.Finding(code); f != nil && (f.Kondisi != "" || f.Rekomendasi != "") {
			n, _ := s.Inst.Node(code)
			l.Findings = append(l.Findings, LHEFinding{Code: code, Title: n.Title, Finding: *f})
		}
	}
	for _, m := range team {
		l.Team = append(l.Team, TeamMember{Name: names(m.Evaluator), Lead: m.Lead})
	}
	slices.SortStableFunc(l.Team, func(a, b TeamMember) int {
		if a.Lead == b.Lead {
			return 0
		}
		if a.Lead {
			return -1
		}
		return 1
	})
	return l, nil
}

func (h *Handler) lhe(c *fiber.Ctx) error {
	ctx := c.UserContext()
	s, err := h.load(ctx, web.CurrentUser(c), account.Read, c.Params("year"), c.Params("instrument"), c.Params("unit"))
	if err != nil {
		return err
	}
	var root *unit.Unit
	if s.Unit.Parent != "" {
		if root, err = h.Units.ByCode(ctx, s.Unit.Parent); err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
	}
	team, names, err := h.team(ctx, s)
	if err != nil {
		return err
	}
	l, err := BuildLHE(s, root, team, names)
	if err != nil {
		return err
	}
	return web.Render(c, "dashboard/lhe", fmt.Sprintf("LHE %s %s %d", s.Unit.Name, s.Inst.Title, s.A.Period),
		fiber.Map{"L": l, "Dicetak": h.Now(), "Print": true})
}

// team returns the evaluators assigned to the subject's unit, and a function naming users.
func (h *Handler) team(ctx context.Context, s *Subject) ([]account.Assignment, func(string) string, error) {
	all, err := h.Assignments.ForYear(ctx, s.A.Period)
	if err != nil {
		return nil, nil, err
	}
	var team []account.Assignment
	for _, a := range all {
		if a.Instrument == s.Inst.ID && slices.Contains(a.Units, s.Unit.Code) {
			team = append(team, a)
		}
	}
	names := func(username string) string {
		if u, err := h.Users.ByUsername(ctx, username); err == nil {
			return u.Name
		}
		return username
	}
	return team, names, nil
}

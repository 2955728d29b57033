package scoring

import (
	"fmt"
	"maps"
	"math/big"
	"slices"
	"sort"
	"strings"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/num"
)

// Planning the path to a target (PlanPath)
//
// The question is "what is the least this unit must improve to reach WBK / WBBM / the next
// grade?". Least means the fewest indicators changed; how far each one moves comes second.
// Survey results (Scale.FromSurvey: ZI's IPAK and IPKP, IKM's NRR, PEKPPP's F-03) are not the
// unit's answers, so the plan never counts them as steps; when the target needs them higher, the
// plan says how high instead. The plan has three parts:
//
//  1. Rules no plan can pass: a requires_previous condition the earlier result does not meet, or
//     a bound above what its node scores with every answer and every survey result at its best.
//     They are reported in Blocked and left out of what follows.
//  2. Survey minimums: when the other rules fail even with every answer of the unit at its best,
//     each survey result is lowered from its maximum (the highest current value first, so the
//     ones with most room are the ones asked to rise) to the lowest value, in hundredths and
//     never below what is entered now, with which those rules still pass. These are the
//     "IPKP minimal 3,50" lines; with the surveys at these values every remaining rule can pass.
//  3. Answer steps: the fewest indicators to raise, with the survey results at their minimums,
//     so that every remaining rule passes (below).
//
// Why raising to the best answer settles the count. Every rule of a target is a lower bound on
// the rounded sum of a subtree: a node rule bounds its node, each_child_of bounds each child, a
// total rule or a grade band bounds the total, which is the sum over a virtual root above the
// roots. Leaf contributions are points × value / n with values in [0, 1], so raising an answer
// never lowers any node (TestMonotonicity). Hence a set S of indicators can be improved into a
// passing sheet exactly when raising every indicator of S to its best answer passes, and the
// minimum count is the smallest such S.
//
// Why a tree DP is exact. Those subtrees form a laminar family (any two are nested or disjoint),
// so the rules inside one subtree only see how much the subtree scores, not which indicators
// inside it were raised. For every node the planner keeps best[k]: the highest score of the
// subtree with exactly k of its indicators raised and every rule inside it passing (nil when
// impossible). More score is never worse for the rules above, so keeping only the best per k
// loses nothing. A leaf raises its k lowest-valued indicators (all of a leaf's indicators weigh
// the same); a parent combines its children by a max-plus convolution over k, then drops the k
// whose score fails one of the node's own rules. The answer is the smallest k the virtual root
// keeps; argmax choices are kept to rebuild S. With n indicators that is O(n²) per node. Scores
// are exact rationals (the same values Score computes before rounding), and each bound is judged
// on the score rounded half away from zero, as Score judges it, so no float hair at a bound can
// lose the minimum. The chosen path is still checked against the bounds before it is returned.
//
// Why steps are lowered afterwards. Raising to the best answer fixes the count, not the effort:
// each step is then lowered, in sheet order with the later steps still at their best, to the
// lowest answer that keeps the whole path passing (binary search over the scale's options by
// value, or over whole numbers for percent and number scales; passing is monotone in the answer).

// TargetNext asks PlanPath for the grade band just above the current total's grade.
const TargetNext = "next"

// Path kinds.
const (
	PathPredicate = "predicate"
	PathGrade     = "grade"
)

// Step is one indicator improvement.
type Step struct {
	Indicator string  `json:"indicator"`
	Area      string  `json:"area"` // the leaf area's code
	From      *Answer `json:"from"` // nil when unanswered
	// To is the lowest answer on the scale that, with the other steps, still lets the whole
	// path pass.
	To   Answer  `json:"to"`
	Gain float64 `json:"gain"` // points this step adds to the total, rounded to 2 decimals
}

// SurveyNeed is a survey result the plan needs higher than it is: the answers alone cannot pass
// the rules that depend on it.
type SurveyNeed struct {
	Indicator string   `json:"indicator"`
	Area      string   `json:"area"` // the leaf area's code
	From      *float64 `json:"from"` // the value entered now; nil when not entered (counts 0)
	// Min is the lowest value, in hundredths, with which (and the steps) every rule that is not
	// blocked passes.
	Min float64 `json:"min"`
	Max float64 `json:"max"` // the scale's maximum
}

// Path is the answer to "what must this unit improve to reach target".
type Path struct {
	Target string `json:"target"` // the predicate or grade key planned for
	Kind   string `json:"kind"`   // PathPredicate or PathGrade
	// Reached: the target already passes; nothing to do.
	Reached bool `json:"reached"`
	// Reachable: the Steps alone reach the target (no survey minimum, nothing blocked).
	Reachable bool `json:"reachable"`
	// Steps are the fewest answer improvements that, with the Survey minimums, pass every rule
	// that is not blocked. [] not null; sheet order.
	Steps []Step `json:"steps"`
	// Survey lists the survey results that must rise, and to what. [] not null; sheet order.
	Survey []SurveyNeed `json:"survey"`
	Before float64      `json:"before"` // current total
	// After is the total with every step applied and every survey result at its minimum.
	After float64 `json:"after"`
	// Failures is what fails now: the predicate's failed conditions as Explain lists them, or for
	// a grade one Failure with Node "total", Predicate the grade key and Min the lowest rounded
	// total the band admits. [] not null.
	Failures []Failure `json:"failures"`
	// Blocked says, in Bahasa Indonesia, which rules no plan can pass and why (an earlier
	// predicate missing, a bound above what the node can score at all); [] when none.
	Blocked []string `json:"blocked"`
}

// PlanPath plans target for these answers: a predicate key (every rule, judged on rounded scores
// as Score does), a grade key (the rounded total admitted by that band) or TargetNext. See the
// comment at the top of this file for the three parts of the plan. Invalid answers are the
// apperr.Invalid error Score returns; an unknown target, or TargetNext on an instrument without
// grades, is apperr.Invalid.
func PlanPath(inst *instrument.Instrument, answers Answers, prev Previous, target string) (Path, error) {
	cur, err := Score(inst, answers, prev)
	if err != nil {
		return Path{}, err
	}
	g, err := resolveGoal(inst, cur, target)
	if err != nil {
		return Path{}, err
	}
	p := Path{
		Target: g.key, Kind: g.kind, Steps: []Step{}, Survey: []SurveyNeed{}, Before: cur.Total, After: cur.Total,
		Failures: g.failures(inst, cur, prev), Blocked: []string{},
	}
	if len(p.Failures) == 0 {
		p.Reached, p.Reachable = true, true
		return p, nil
	}
	if msg, failed := g.previousBlock(prev); failed {
		p.Blocked = append(p.Blocked, msg)
	}
	pl := newPlanner(inst, answers, g)
	p.Blocked = append(p.Blocked, pl.dropImpossible()...)
	p.Survey = pl.surveyMinimums()
	chosen, ok := pl.fewest()
	if !ok { // cannot happen: with the surveys at their minimums, raising everything passes
		return Path{}, fmt.Errorf("scoring: plan %s for %s: no passing set after the survey minimums", g.key, inst.ID)
	}
	p.Steps, p.After = pl.lower(chosen)
	p.Reachable = len(p.Survey) == 0 && len(p.Blocked) == 0
	return p, nil
}

// goal is a target turned into lower bounds on rounded node scores.
type goal struct {
	key, kind string
	pred      *instrument.Predicate // nil for a grade
	grade     instrument.Grade      // for a grade
	bounds    map[string][]bound    // area code or TotalNode → bounds on its rounded score
}

// bound is one rule on a node: its rounded score ≥ min, or > min when strict (a grade's above).
type bound struct {
	min    *big.Rat
	strict bool
}

// holds judges an exact score the way Score then judge/GradeOf do: Score rounds node scores and
// the total to 2 decimals, half away from zero, and the judges compare the rounded value.
func (b bound) holds(raw *big.Rat) bool {
	c := big.NewRat(num.Cents(raw), 100).Cmp(b.min)
	if b.strict {
		return c > 0
	}
	return c >= 0
}

// resolveGoal turns a target into a goal: a predicate key first, then a grade key, then
// TargetNext.
func resolveGoal(inst *instrument.Instrument, cur Result, target string) (goal, error) {
	if p, ok := inst.Predicate(target); ok {
		return predicateGoal(inst, p), nil
	}
	for _, g := range inst.Grades {
		if g.Key == target {
			return gradeGoal(g), nil
		}
	}
	if target == TargetNext {
		if len(inst.Grades) == 0 {
			return goal{}, apperr.New(apperr.Invalid, "Instrumen %s tidak memiliki predikat nilai (grade), jadi target %q tidak berlaku; pilih salah satu dari: %s.",
				inst.ID, TargetNext, strings.Join(validTargets(inst), ", "))
		}
		return gradeGoal(nextGrade(inst, cur.Total)), nil
	}
	if len(validTargets(inst)) == 0 {
		return goal{}, apperr.New(apperr.Invalid, "Instrumen %s tidak memiliki predikat maupun grade yang dapat dituju.", inst.ID)
	}
	return goal{}, apperr.New(apperr.Invalid, "Target %q tidak dikenal pada instrumen %s; pilih salah satu dari: %s.",
		target, inst.ID, strings.Join(validTargets(inst), ", "))
}

// validTargets lists what PlanPath accepts for the instrument, in sheet order.
func validTargets(inst *instrument.Instrument) []string {
	var out []string
	for _, p := range inst.Predicates {
		out = append(out, p.Key)
	}
	for _, g := range inst.Grades {
		out = append(out, g.Key)
	}
	if len(inst.Grades) > 0 {
		out = append(out, TargetNext)
	}
	return out
}

// nextGrade is the band just above the total's current grade, or the top band when the total is
// already there (then the goal is reached).
func nextGrade(inst *instrument.Instrument, total float64) instrument.Grade {
	g, _ := GradeOf(inst, total) // the last band catches every score (validated)
	i := slices.IndexFunc(inst.Grades, func(x instrument.Grade) bool { return x.Key == g.Key })
	return inst.Grades[max(i-1, 0)]
}

func predicateGoal(inst *instrument.Instrument, p instrument.Predicate) goal {
	g := goal{key: p.Key, kind: PathPredicate, pred: &p, bounds: map[string][]bound{}}
	for _, r := range p.Rules {
		if r.EachChildOf == "" {
			g.bounds[r.Node] = append(g.bounds[r.Node], bound{min: big.NewRat(num.CentsOf(*r.Min), 100)})
			continue
		}
		for _, c := range inst.Children(r.EachChildOf) {
			g.bounds[c.Code] = append(g.bounds[c.Code], bound{min: big.NewRat(childMinCents(inst, r, c), 100)})
		}
	}
	return g
}

func gradeGoal(gr instrument.Grade) goal {
	b := bound{min: num.Exact(gr.Bound()), strict: gr.Above != nil}
	return goal{key: gr.Key, kind: PathGrade, grade: gr, bounds: map[string][]bound{instrument.TotalNode: {b}}}
}

// failures lists what fails now; [] when the goal is met.
func (g goal) failures(inst *instrument.Instrument, r Result, prev Previous) []Failure {
	out := []Failure{}
	if g.pred != nil {
		return append(out, judge(inst, *g.pred, r.Nodes, r.Total, prev)...)
	}
	if g.grade.Admits(r.Total) {
		return out
	}
	want := lowestAdmitted(g.grade)
	return append(out, Failure{Predicate: g.key, Node: instrument.TotalNode, Score: r.Total, Min: want, Gap: num.Diff(want, r.Total)})
}

// lowestAdmitted is the lowest 2-decimal total the band admits: its min, or the next hundredth
// above its (strict) above.
func lowestAdmitted(gr instrument.Grade) float64 {
	if gr.Above == nil {
		return Round2(gr.Bound())
	}
	c := num.Cents(num.Exact(*gr.Above))
	if num.Cmp(num.FromCents(c), *gr.Above) <= 0 {
		c++
	}
	return num.FromCents(c)
}

// previousBlock is the message for a requires_previous condition the unit's earlier result
// does not meet; no answer of this round can change it.
func (g goal) previousBlock(prev Previous) (string, bool) {
	if g.pred == nil {
		return "", false
	}
	if _, failed := previousRule(*g.pred, prev); !failed {
		return "", false
	}
	return fmt.Sprintf("%s mensyaratkan predikat %s pada penilaian sebelumnya.", g.key, g.pred.RequiresPrevious), true
}

// planner holds one PlanPath computation: the answers (survey results at their planned values),
// the exact value of every indicator, and what may be raised.
type planner struct {
	inst    *instrument.Instrument
	orig    Answers // as given
	answers Answers // as given, survey results raised to their minimums once computed
	goal    goal
	value   map[string]*big.Rat // exact value of every indicator under answers, 0 when unanswered
	raise   map[string]bool     // indicators the path may raise: not survey-based, not at best
	survey  []string            // survey-based indicators, sheet order
}

func newPlanner(inst *instrument.Instrument, answers Answers, g goal) *planner {
	pl := &planner{inst: inst, orig: answers, answers: maps.Clone(answers), value: map[string]*big.Rat{}, raise: map[string]bool{}}
	if pl.answers == nil {
		pl.answers = Answers{}
	}
	// Copy the bounds: dropImpossible removes some.
	pl.goal = g
	pl.goal.bounds = make(map[string][]bound, len(g.bounds))
	for k, v := range g.bounds {
		pl.goal.bounds[k] = slices.Clone(v)
	}
	one := big.NewRat(1, 1)
	for _, ind := range inst.Indicators() {
		v := indicatorExact(inst, ind.Code, answers)
		pl.value[ind.Code] = v
		// Every scale's best answer is worth exactly 1 (validated for choices, x/100 and x/max).
		switch {
		case inst.Scales[ind.Scale].FromSurvey():
			pl.survey = append(pl.survey, ind.Code)
		case v.Cmp(one) < 0:
			pl.raise[ind.Code] = true
		}
	}
	return pl
}

// met reports whether exact scores pass every bound of the (possibly reduced) goal.
func (pl *planner) met(nodes map[string]*big.Rat, total *big.Rat) bool {
	for code, bs := range pl.goal.bounds {
		s := total
		if code != instrument.TotalNode {
			s = nodes[code]
		}
		for _, b := range bs {
			if !b.holds(s) {
				return false
			}
		}
	}
	return true
}

// passes scores answers exactly, as Score does, and judges them against the goal.
func (pl *planner) passes(as Answers) bool { return pl.met(exactScores(pl.inst, as)) }

// dropImpossible removes from the goal every bound that fails even with every answer and every
// survey result at its best, and returns why, one message per bound.
func (pl *planner) dropImpossible() []string {
	ceiling := pl.withBest(pl.raise)
	for _, code := range pl.survey {
		ceiling[code] = bestOf(pl.inst.ScaleOf(code))
	}
	nodes, total := exactScores(pl.inst, ceiling)
	var out []string
	for _, code := range sortedKeys(pl.goal.bounds) {
		s := total
		if code != instrument.TotalNode {
			s = nodes[code]
		}
		var kept []bound
		for _, b := range pl.goal.bounds[code] {
			if b.holds(s) {
				kept = append(kept, b)
				continue
			}
			out = append(out, pl.impossibleMessage(code, num.Round(s), b))
		}
		pl.goal.bounds[code] = kept
	}
	return out
}

// sortedKeys lists the bound codes in sheet order, the total last, so messages come out stable.
func sortedKeys(m map[string][]bound) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	if i := slices.Index(out, instrument.TotalNode); i >= 0 {
		out = append(slices.Delete(out, i, i+1), instrument.TotalNode)
	}
	return out
}

func (pl *planner) impossibleMessage(code string, best float64, b bound) string {
	limit, _ := b.min.Float64()
	lim := fmt.Sprintf("batasnya %s", num.ID2(limit))
	if pl.goal.kind == PathGrade {
		lim = fmt.Sprintf("batas predikat %s adalah %s", pl.goal.key, num.ID2(limit))
	}
	return fmt.Sprintf("%s paling tinggi %s walaupun semua jawaban dan hasil survei bernilai terbaik, sedangkan %s.",
		nodeName(pl.inst, code), num.ID2(best), lim)
}

// nodeName names a node the way a person reads it: "Nilai total" or "Nilai <area title>".
func nodeName(inst *instrument.Instrument, code string) string {
	if a, ok := inst.Node(code); ok {
		return "Nilai " + a.Title
	}
	return "Nilai total"
}

// surveyMinimums raises, on the planner's answers, each survey result to the lowest value with
// which the remaining rules pass when every own answer is at its best, and returns those that
// had to rise. It lowers the survey results one by one from their maximum, the highest current
// value first (ties in sheet order), so the results with the most room are the ones raised.
func (pl *planner) surveyMinimums() []SurveyNeed {
	needs := []SurveyNeed{}
	if len(pl.survey) == 0 || pl.passes(pl.withBest(pl.raise)) {
		return needs
	}
	trial := pl.withBest(pl.raise)
	for _, code := range pl.survey {
		trial[code] = bestOf(pl.inst.ScaleOf(code))
	}
	b := pl.newBoard(trial) // the board answers in trial: each b.set below writes it
	order := slices.Clone(pl.survey)
	slices.SortStableFunc(order, func(a, b string) int { return pl.value[b].Cmp(pl.value[a]) })
	minOf := map[string]Answer{}
	for _, code := range order {
		cands := pl.surveyCandidates(code)
		i := sort.Search(len(cands)-1, func(i int) bool { return b.passesWith(code, cands[i]) })
		b.set(code, cands[i])
		minOf[code] = cands[i]
	}
	for _, code := range pl.survey {
		to := minOf[code]
		from, entered := pl.orig[code]
		if entered && exactValue(pl.inst.ScaleOf(code), to).Cmp(pl.value[code]) <= 0 {
			continue
		}
		if !entered && pl.passesWithout(trial, code) {
			// Not entered and not needed: counting 0 already passes. It stays unentered in the
			// trial too, so the results after it are judged with it at 0, as the plan leaves it.
			delete(trial, code)
			continue
		}
		n := SurveyNeed{Indicator: code, Area: pl.inst.LeafOf(code).Code, Min: *to.Number, Max: *pl.inst.ScaleOf(code).Max}
		if entered {
			n.From = from.Number
		}
		needs = append(needs, n)
		pl.answers[code] = to
		pl.value[code] = exactValue(pl.inst.ScaleOf(code), to)
	}
	return needs
}

// passesWithout reports whether the trial still passes with the survey result left unentered.
func (pl *planner) passesWithout(trial Answers, code string) bool {
	as := maps.Clone(trial)
	delete(as, code)
	return pl.passes(as)
}

// surveyCandidates lists the values a survey result may be planned at, ascending: what is
// entered now (or nothing entered), then every hundredth above it up to the scale's maximum.
func (pl *planner) surveyCandidates(code string) []Answer {
	s := pl.inst.ScaleOf(code)
	var out []Answer
	lo := num.CentsOf(*s.Min)
	if a, ok := pl.orig[code]; ok && a.Number != nil {
		out = append(out, a)
		lo = max(lo, num.Cents(num.Exact(*a.Number))+1)
		if num.Cmp(num.FromCents(lo-1), *a.Number) > 0 { // entered with more than 2 decimals
			lo--
		}
	}
	hi := num.CentsOf(*s.Max)
	for c := lo; c <= hi; c++ {
		out = append(out, numberAnswer(num.FromCents(c)))
	}
	if len(out) == 0 || num.Cmp(*out[len(out)-1].Number, *s.Max) != 0 {
		out = append(out, numberAnswer(*s.Max))
	}
	return out
}

// bestOf is the best answer of a scale: the option worth the most, 100 for a percent, max for a
// number.
func bestOf(s instrument.Scale) Answer {
	switch s.Kind {
	case instrument.KindChoice:
		best := s.Options[0]
		for _, o := range s.Options[1:] {
			if o.Value > best.Value {
				best = o
			}
		}
		return Answer{Option: best.Key}
	case instrument.KindPercent:
		return numberAnswer(100)
	}
	return numberAnswer(*s.Max)
}

package scoring

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/instrument"
)

// Planning the path to a target (PlanPath)
//
// The question is "what is the least this unit must improve to reach WBK / WBBM / the next
// grade?". Least means the fewest indicators changed; how far each one moves comes second.
//
// Why raising to the best answer settles the count. Every rule of a target is a lower bound on
// the (rounded) sum of a subtree: a node rule bounds its node, each_child_of bounds each child,
// a total rule or a grade band bounds the total, which is the sum over a virtual root above the
// roots. Leaf contributions are points × value / n with values in [0, 1], so raising an answer
// never lowers any node (TestMonotonicity). Hence a set S of indicators can be improved into a
// passing sheet exactly when raising every indicator of S to its best answer passes, and the
// minimum count is the smallest such S. Survey-based indicators (Scale.FromSurvey) are copied from
// an external recap, so they are never in S.
//
// Why a tree DP is exact. Those subtrees form a laminar family (any two are nested or disjoint),
// so the rules inside one subtree only see how much the subtree scores, not which indicators
// inside it were raised. For every node the planner keeps best[k]: the highest score of the
// subtree with exactly k of its indicators raised and every rule inside it passing (−∞ when
// impossible). More score is never worse for the rules above, so keeping only the best per k
// loses nothing. A leaf raises its k lowest-valued indicators (all of a leaf's indicators weigh
// the same); a parent combines its children by a max-plus convolution over k, then drops the k
// whose score fails one of the node's own rules. The answer is the smallest k the virtual root
// keeps; argmax choices are kept to rebuild S. With n indicators that is O(n²) per node.
//
// Why the DP adds scores, not gains. The rules compare Round2 of float sums, and a sum landing a
// hair off a 2-decimal bound rounds differently. So a leaf's score is computed with the same
// expression as leafScore, and children are added to a zero in sheet order, as areaScore does:
// the DP's numbers are the very floats Score would compute for the same answers, and float
// addition and Round2 are monotone, so "highest is best" survives rounding. The chosen path is
// still applied and checked with Score; should it fail (ties at a leaf summed in another order)
// the next k is tried, so a returned path always passes.
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

// Path is the answer to "what must this unit improve to reach target".
type Path struct {
	Target    string  `json:"target"`    // the predicate or grade key planned for
	Kind      string  `json:"kind"`      // PathPredicate or PathGrade
	Reached   bool    `json:"reached"`   // already passes; Steps empty
	Reachable bool    `json:"reachable"` // some set of answer improvements passes
	Steps     []Step  `json:"steps"`     // [] not null; sheet order; empty unless Reachable
	Before    float64 `json:"before"`    // current total
	After     float64 `json:"after"`     // total once every step is applied
	// Failures is what fails now: the predicate's failed conditions as Explain lists them, or for
	// a grade one Failure with Node "total", Predicate the grade key and Min the lowest rounded
	// total the band admits. [] not null.
	Failures []Failure `json:"failures"`
	// Blocked says, in Bahasa Indonesia, why the target cannot be reached by answers alone (a
	// survey result too low, an earlier predicate missing); [] when Reachable.
	Blocked []string `json:"blocked"`
}

// PlanPath computes the fewest indicator improvements that make target pass for these answers:
// a predicate key (every rule, judged on rounded scores as Score does), a grade key (the rounded
// total admitted by that band) or TargetNext. Survey-based indicators are never raised. Invalid
// answers are the apperr.Invalid error Score returns; an unknown target, or TargetNext on an
// instrument without grades, is apperr.Invalid.
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
		Target: g.key, Kind: g.kind, Steps: []Step{}, Before: cur.Total, After: cur.Total,
		Failures: g.failures(inst, cur, prev), Blocked: []string{},
	}
	if len(p.Failures) == 0 {
		p.Reached, p.Reachable = true, true
		return p, nil
	}
	pl := newPlanner(inst, answers, g)
	if msg, failed := g.previousBlock(prev); failed {
		p.Blocked = append(p.Blocked, msg)
	}
	chosen, ok := pl.fewest()
	if !ok {
		p.Blocked = append(p.Blocked, pl.surveyBlocks()...)
	}
	if len(p.Blocked) > 0 {
		return p, nil
	}
	p.Reachable = true
	p.Steps, p.After = pl.lower(chosen)
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
	min    float64
	strict bool
}

// holds judges an unrounded score the way Score then judge/GradeOf do: Score rounds node scores
// and the total to 2 decimals, and the judges round again.
func (b bound) holds(raw float64) bool {
	s := Round2(Round2(raw))
	if b.strict {
		return s > b.min
	}
	return s >= b.min
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
			g.bounds[r.Node] = append(g.bounds[r.Node], bound{min: Round2(*r.Min)})
			continue
		}
		for _, c := range inst.Children(r.EachChildOf) {
			g.bounds[c.Code] = append(g.bounds[c.Code], bound{min: Round2(*r.MinRatio * inst.Points(c))})
		}
	}
	return g
}

func gradeGoal(gr instrument.Grade) goal {
	b := bound{min: gr.Bound(), strict: gr.Above != nil}
	return goal{key: gr.Key, kind: PathGrade, grade: gr, bounds: map[string][]bound{instrument.TotalNode: {b}}}
}

// met reports whether r passes the goal, ignoring any requires_previous condition (PlanPath
// reports that one separately, since no answer can change it).
func (g goal) met(inst *instrument.Instrument, r Result) bool {
	if g.pred != nil {
		return len(judge(inst, *g.pred, r.Nodes, r.Total, nil)) == 0
	}
	return g.grade.Admits(Round2(r.Total))
}

// failures lists what fails now; [] when the goal is met.
func (g goal) failures(inst *instrument.Instrument, r Result, prev Previous) []Failure {
	out := []Failure{}
	if g.pred != nil {
		return append(out, judge(inst, *g.pred, r.Nodes, r.Total, prev)...)
	}
	if g.grade.Admits(Round2(r.Total)) {
		return out
	}
	want := lowestAdmitted(g.grade)
	return append(out, Failure{Predicate: g.key, Node: instrument.TotalNode, Score: r.Total, Min: want, Gap: Round2(want - r.Total)})
}

// lowestAdmitted is the lowest 2-decimal total the band admits: its min, or the next hundredth
// above its (strict) above.
func lowestAdmitted(gr instrument.Grade) float64 {
	if gr.Above == nil {
		return Round2(gr.Bound())
	}
	m := Round2(*gr.Above)
	if m <= *gr.Above {
		m = Round2(m + 0.01)
	}
	return m
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

// planner holds one PlanPath computation: the current answers and values, and what may be raised.
type planner struct {
	inst    *instrument.Instrument
	answers Answers
	goal    goal
	value   map[string]float64 // current value of every indicator, 0 when unanswered
	raise   map[string]bool    // indicators the path may raise: not survey-based, not at best
}

func newPlanner(inst *instrument.Instrument, answers Answers, g goal) *planner {
	pl := &planner{inst: inst, answers: answers, goal: g, value: map[string]float64{}, raise: map[string]bool{}}
	for _, ind := range inst.Indicators() {
		v := indicatorValue(inst, ind.Code, answers)
		pl.value[ind.Code] = v
		// Every scale's best answer is worth exactly 1 (validated for choices, x/100 and x/max).
		if v < 1 && !inst.Scales[ind.Scale].FromSurvey() {
			pl.raise[ind.Code] = true
		}
	}
	return pl
}

// table is the DP of one node: best[k] is the highest unrounded score of the subtree with exactly
// k indicators raised to their best and every rule inside the subtree passing, −∞ if none does.
type table struct {
	best []float64
	// Reconstruction: a leaf raises raisable[:k]; a parent gives split[j][k] of the k raised
	// among kids[:j+1] to kids[j].
	raisable []string
	kids     []*table
	split    [][]int
}

var impossible = math.Inf(-1)

// fewest returns the smallest set of raisable indicators that, raised to their best answers,
// passes the goal; ok is false when even raising all of them fails.
func (pl *planner) fewest() (chosen map[string]bool, ok bool) {
	root := pl.parent(pl.inst.Areas, instrument.TotalNode)
	for k, s := range root.best {
		if s == impossible {
			continue
		}
		chosen = map[string]bool{}
		root.pick(k, chosen)
		if pl.passes(pl.withBest(chosen)) {
			return chosen, true
		}
	}
	// The DP's last entry is "raise everything", so this only differs from it by a float hair;
	// Score has the last word on whether the target is reachable at all.
	if pl.passes(pl.withBest(pl.raise)) {
		return pl.raise, true
	}
	return nil, false
}

// node builds the table of an area.
func (pl *planner) node(a *instrument.Area) *table {
	if a.IsLeaf() {
		return pl.leaf(a)
	}
	return pl.parent(a.Areas, a.Code)
}

// leaf raises the lowest-valued indicators first: inside a leaf every indicator weighs
// points/n, so the lowest value has the largest gain. Ties keep sheet order.
func (pl *planner) leaf(a *instrument.Area) *table {
	t := &table{}
	for _, ind := range a.Indicators {
		if pl.raise[ind.Code] {
			t.raisable = append(t.raisable, ind.Code)
		}
	}
	slices.SortStableFunc(t.raisable, func(x, y string) int { return cmp.Compare(pl.value[x], pl.value[y]) })
	raised := map[string]bool{}
	t.best = make([]float64, len(t.raisable)+1)
	for k := range t.best {
		if k > 0 {
			raised[t.raisable[k-1]] = true
		}
		// The same expression as leafScore, so the float is the one Score computes.
		var sum float64
		for _, ind := range a.Indicators {
			if raised[ind.Code] {
				sum += 1
			} else {
				sum += pl.value[ind.Code]
			}
		}
		t.best[k] = pl.inst.Points(a) * (sum / float64(len(a.Indicators)))
	}
	pl.enforce(t, a.Code)
	return t
}

// parent convolves the children's tables in sheet order, adding each child's score to the
// running sum as areaScore does, then enforces the node's own rules. code is TotalNode for the
// virtual root over the instrument's roots.
func (pl *planner) parent(children []*instrument.Area, code string) *table {
	t := &table{best: []float64{0}}
	for _, c := range children {
		kid := pl.node(c)
		next := make([]float64, len(t.best)+len(kid.best)-1)
		split := make([]int, len(next))
		for k := range next {
			next[k] = impossible
		}
		for k1, s1 := range t.best {
			if s1 == impossible {
				continue
			}
			for k2, s2 := range kid.best {
				if s2 != impossible && s1+s2 > next[k1+k2] {
					next[k1+k2], split[k1+k2] = s1+s2, k2
				}
			}
		}
		t.best = next
		t.kids = append(t.kids, kid)
		t.split = append(t.split, split)
	}
	pl.enforce(t, code)
	return t
}

// enforce drops every k whose score fails one of the node's own rules.
func (pl *planner) enforce(t *table, code string) {
	for k, s := range t.best {
		for _, b := range pl.goal.bounds[code] {
			if s != impossible && !b.holds(s) {
				t.best[k] = impossible
			}
		}
	}
}

// pick adds to chosen the k indicators behind t.best[k].
func (t *table) pick(k int, chosen map[string]bool) {
	if t.kids == nil {
		for _, code := range t.raisable[:k] {
			chosen[code] = true
		}
		return
	}
	for j := len(t.kids) - 1; j >= 0; j-- {
		kj := t.split[j][k]
		t.kids[j].pick(kj, chosen)
		k -= kj
	}
}

// withBest returns a copy of the answers with the chosen indicators at their best answer.
func (pl *planner) withBest(chosen map[string]bool) Answers {
	as := make(Answers, len(pl.answers)+len(chosen))
	for code, a := range pl.answers {
		as[code] = a
	}
	for code := range chosen {
		cands := pl.candidates(code)
		as[code] = cands[len(cands)-1]
	}
	return as
}

// passes scores the answers with Score itself, the judge every path must satisfy.
func (pl *planner) passes(as Answers) bool {
	r, err := Score(pl.inst, as, nil)
	return err == nil && pl.goal.met(pl.inst, r)
}

// lower turns the chosen indicators into steps in sheet order, each lowered to the lowest
// answer that keeps the path passing given the steps before it (already lowered) and after it
// (still at their best). It returns the steps and the total with all of them applied.
func (pl *planner) lower(chosen map[string]bool) ([]Step, float64) {
	trial := pl.withBest(chosen)
	steps := []Step{}
	for _, ind := range pl.inst.Indicators() {
		if !chosen[ind.Code] {
			continue
		}
		cands := pl.candidates(ind.Code)
		// The best answer passes (the path was checked), and passing is monotone in the value.
		i := sort.Search(len(cands)-1, func(i int) bool {
			trial[ind.Code] = cands[i]
			return pl.passes(trial)
		})
		trial[ind.Code] = cands[i]
		steps = append(steps, pl.step(ind.Code, cands[i]))
	}
	r, _ := Score(pl.inst, trial, nil) // answers built from valid candidates
	return steps, r.Total
}

func (pl *planner) step(code string, to Answer) Step {
	leaf := pl.inst.LeafOf(code)
	v, _ := value(pl.inst.ScaleOf(code), to)
	s := Step{
		Indicator: code, Area: leaf.Code, To: to,
		Gain: Round2(pl.inst.Points(leaf) / float64(len(leaf.Indicators)) * (v - pl.value[code])),
	}
	if from, ok := pl.answers[code]; ok {
		s.From = &from
	}
	return s
}

// candidates lists the answers worth more than the current one, by ascending value; the last
// is the scale's best. A choice scale offers its options (the first in sheet order where two are
// worth the same); a percent or number scale offers whole numbers, and its max.
func (pl *planner) candidates(code string) []Answer {
	s, cur := pl.inst.ScaleOf(code), pl.value[code]
	var out []Answer
	if s.Kind == instrument.KindChoice {
		opts := slices.Clone(s.Options)
		slices.SortStableFunc(opts, func(a, b instrument.Option) int { return cmp.Compare(a.Value, b.Value) })
		for i, o := range opts {
			if o.Value > cur && (i == 0 || o.Value != opts[i-1].Value) {
				out = append(out, Answer{Option: o.Key})
			}
		}
		return out
	}
	lo, hi := 0.0, 100.0
	if s.Kind == instrument.KindNumber {
		lo, hi = *s.Min, *s.Max
	}
	for x := math.Ceil(lo); x <= hi; x++ {
		if x/hi > cur {
			out = append(out, numberAnswer(x))
		}
	}
	if math.Ceil(hi) != hi { // a max that is not a whole number is still the best answer
		out = append(out, numberAnswer(hi))
	}
	return out
}

func numberAnswer(x float64) Answer { return Answer{Number: &x} }

// surveyBlocks explains, for each rule that fails even with every raisable indicator at its
// best, what keeps it from passing: a survey result the unit cannot answer its way out of, or a
// bound above what the node can score at all.
func (pl *planner) surveyBlocks() []string {
	r, _ := Score(pl.inst, pl.withBest(pl.raise), nil) // answers built from valid candidates
	var out []string
	for _, f := range pl.goal.failures(pl.inst, r, nil) {
		out = append(out, pl.blockMessage(f))
	}
	return out
}

func (pl *planner) blockMessage(f Failure) string {
	name, what := "total", "Nilai total"
	if a, ok := pl.inst.Node(f.Node); ok {
		name, what = a.Code, fmt.Sprintf("Nilai %s (%s)", a.Code, a.Title)
	}
	limit := fmt.Sprintf("batasnya %s", idScore(f.Min))
	if pl.goal.kind == PathGrade {
		limit = fmt.Sprintf("batas predikat %s adalah %s", pl.goal.key, idScore(f.Min))
	}
	own := 0         // indicators under the node that the unit answers itself
	var low []string // survey-based indicators under the node, below their best
	for _, ind := range pl.inst.Indicators() {
		if !pl.inst.Under(ind.Code, name) {
			continue
		}
		if !pl.inst.Scales[ind.Scale].FromSurvey() {
			own++
			continue
		}
		if pl.value[ind.Code] < 1 {
			low = append(low, ind.Code)
		}
	}
	var msg string
	switch {
	case len(low) == 0:
		return fmt.Sprintf("%s paling tinggi %s walaupun semua jawaban bernilai terbaik, sedangkan %s.", what, idScore(f.Score), limit)
	case own == 0:
		msg = fmt.Sprintf("%s berasal dari survei eksternal (%s) dan tidak dapat dinaikkan lewat jawaban unit: nilainya %s, sedangkan %s.",
			what, strings.Join(low, ", "), idScore(f.Score), limit)
	default:
		msg = fmt.Sprintf("%s paling tinggi %s walaupun semua jawaban unit dinaikkan ke nilai terbaik, sedangkan %s; sisanya bergantung pada hasil survei eksternal (%s).",
			what, idScore(f.Score), limit, strings.Join(low, ", "))
	}
	return msg + pl.unentered(low)
}

// unentered points out survey results not entered yet: they count 0, so the block may only be
// that the recap has not been typed in.
func (pl *planner) unentered(codes []string) string {
	var missing []string
	for _, c := range codes {
		if _, ok := pl.answers[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return fmt.Sprintf(" Hasil survei %s belum diisi (dihitung 0); isi dari rekap survei terlebih dahulu.", strings.Join(missing, ", "))
}

// idScore prints a score with 2 decimals and a decimal comma, as the official sheets do.
func idScore(x float64) string {
	return strings.Replace(strconv.FormatFloat(x, 'f', 2, 64), ".", ",", 1)
}

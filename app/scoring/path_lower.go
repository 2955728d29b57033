package scoring

// Lowering the steps of PlanPath to the least effort that keeps the path passing (see path.go,
// "Why steps are lowered afterwards").

import (
	"cmp"
	"maps"
	"math"
	"math/big"
	"slices"
	"sort"

	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/num"
)

// withBest returns a copy of the planner's answers with the chosen indicators at their best.
func (pl *planner) withBest(chosen map[string]bool) Answers {
	as := make(Answers, len(pl.answers)+len(chosen))
	maps.Copy(as, pl.answers)
	for code := range chosen {
		as[code] = bestOf(pl.inst.ScaleOf(code))
	}
	return as
}

// lower turns the chosen indicators into steps in sheet order, each lowered to the lowest
// answer that keeps the path passing given the steps before it (already lowered) and after it
// (still at their best). It returns the steps and the total with all of them applied (and the
// survey results at their minimums).
func (pl *planner) lower(chosen map[string]bool) ([]Step, float64) {
	b := pl.newBoard(pl.withBest(chosen))
	steps := []Step{}
	for _, ind := range pl.inst.Indicators() {
		if !chosen[ind.Code] {
			continue
		}
		cands := pl.candidates(ind.Code)
		// The best answer passes (the path was checked), and passing is monotone in the value.
		i := sort.Search(len(cands)-1, func(i int) bool { return b.passesWith(ind.Code, cands[i]) })
		b.set(ind.Code, cands[i])
		steps = append(steps, pl.step(ind.Code, cands[i]))
	}
	return steps, num.Round(b.total)
}

// board holds the exact scores of one answer set, so a single answer's change is judged by
// adding its effect to its leaf, the leaf's ancestors and the total, not by scoring again.
type board struct {
	pl    *planner
	as    Answers
	nodes map[string]*big.Rat
	total *big.Rat
}

func (pl *planner) newBoard(as Answers) *board {
	nodes, total := exactScores(pl.inst, as)
	return &board{pl: pl, as: as, nodes: nodes, total: total}
}

// delta is what answering code with a adds to its leaf (and so to every ancestor and the total).
func (b *board) delta(code string, a Answer) *big.Rat {
	inst := b.pl.inst
	leaf := inst.LeafOf(code)
	d := new(big.Rat).Set(exactValue(inst.ScaleOf(code), a))
	d.Sub(d, indicatorExact(inst, code, b.as))
	d.Mul(d, inst.PointsExact(leaf))
	return d.Quo(d, big.NewRat(int64(len(leaf.Indicators)), 1))
}

// ancestors lists the codes whose score an indicator's answer moves: its leaf up to a root.
func (b *board) ancestors(code string) map[string]bool {
	out := map[string]bool{}
	for a := b.pl.inst.LeafOf(code); a != nil; a = b.pl.inst.Parent(a.Code) {
		out[a.Code] = true
	}
	return out
}

// passesWith reports whether the goal passes with code answered a, the rest unchanged.
func (b *board) passesWith(code string, a Answer) bool {
	d, up := b.delta(code, a), b.ancestors(code)
	for node, bs := range b.pl.goal.bounds {
		s := b.total
		if node != instrument.TotalNode {
			s = b.nodes[node]
		}
		if node == instrument.TotalNode || up[node] {
			s = new(big.Rat).Add(s, d)
		}
		for _, bd := range bs {
			if !bd.holds(s) {
				return false
			}
		}
	}
	return true
}

// set answers code with a and moves the scores accordingly.
func (b *board) set(code string, a Answer) {
	d := b.delta(code, a)
	for node := range b.ancestors(code) {
		b.nodes[node] = new(big.Rat).Add(b.nodes[node], d)
	}
	b.total = new(big.Rat).Add(b.total, d)
	b.as[code] = a
}

func (pl *planner) step(code string, to Answer) Step {
	leaf := pl.inst.LeafOf(code)
	gain := new(big.Rat).Set(exactValue(pl.inst.ScaleOf(code), to))
	gain.Sub(gain, pl.value[code])
	gain.Mul(gain, pl.inst.PointsExact(leaf))
	gain.Quo(gain, big.NewRat(int64(len(leaf.Indicators)), 1))
	s := Step{Indicator: code, Area: leaf.Code, To: to, Gain: num.Round(gain)}
	if from, ok := pl.orig[code]; ok {
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
			if num.Exact(o.Value).Cmp(cur) > 0 && (i == 0 || o.Value != opts[i-1].Value) {
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
		if exactValue(s, numberAnswer(x)).Cmp(cur) > 0 {
			out = append(out, numberAnswer(x))
		}
	}
	if math.Ceil(hi) != hi { // a max that is not a whole number is still the best answer
		out = append(out, numberAnswer(hi))
	}
	return out
}

func numberAnswer(x float64) Answer { return Answer{Number: &x} }
